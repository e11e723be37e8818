"""Register many at once (issue 27 item 2): organizations not registered yet, chosen on the
Overview's narrowed list or as all that match it, reviewed under this year's rules, then
registered in one step, each whole or not at all, with the e-mails of registering by hand."""

from datetime import timedelta

import pytest
from asgiref.local import Local
from django.core import mail
from django.tasks import task_backends
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from contacts.models import Contact
from organizations.models import Role
from qpp_registration.core.background.models import OutgoingEmail
from qpp_registration.core.exceptions import RegistrationRefused
from registrations import bulk_registration, bulk_review
from registrations.guide_years import LIKE_2021, open_window_around
from registrations.models import BulkRegistration, BulkRegistrationItem, ProgramStatus, Registration, Size
from registrations.official_contacts import official_contacts
from tests.factories import (
    OrganizationFactory,
    PerformanceYearFactory,
    RoleFactory,
    SspAcoFactory,
    registered,
    so_of,
)
from tests.registrations.bulk_helpers import PAT, create, detail_url, register_url, run, start_url
from tests.test_list_queries import _queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(db):
    now = timezone.now()
    PerformanceYearFactory(
        year=2024,
        **LIKE_2021,
        window_opens=now - timedelta(days=400),
        window_closes=now - timedelta(days=300),
    )
    return PerformanceYearFactory(year=2025, **LIKE_2021, **open_window_around(now))


# --- Choosing and reviewing -------------------------------------------------------------------------------


def test_the_official_s_contacts_are_each_person_once_from_their_own_organizations(
    security_official, practice, year
):
    last = year.__class__.objects.get(year=2024)
    registered(practice, last, size=Size.MEDIUM, **PAT)
    other = so_of(security_official, OrganizationFactory())
    registered(other, last, size=Size.MEDIUM, **{**PAT, "email": "PAT.LEE@example.com"})  # the same person
    registered(other, year, size=Size.MEDIUM, first_name="Sam", last_name="Ortiz")
    registered(OrganizationFactory(), last, size=Size.MEDIUM, first_name="Not", last_name="Yours")

    people = official_contacts(security_official)

    assert [person.full_name for person in people] == ["Pat Lee", "Sam Ortiz"]


def test_the_selection_page_lists_the_overview_s_narrowed_organizations(
    sign_in, security_official, practice, year
):
    registered(practice, year, size=Size.MEDIUM)  # registered: the filter leaves it out
    waiting = so_of(security_official, OrganizationFactory(name="Bayview Pediatrics"))

    response = sign_in(security_official).get(start_url(year, "status=not_registered"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Bayview Pediatrics" in page and "Chesapeake Family Medicine" not in page
    assert f'value="{waiting.pk}"' in page
    assert "All 1 organization matching this filter" in page


def test_the_review_says_each_organization_s_outcome_and_writes_nothing(
    sign_in, security_official, practice, year
):
    small = so_of(security_official, OrganizationFactory(name="Bayview Pediatrics"))
    no_address = so_of(security_official, OrganizationFactory(name="Harbor Point Clinic", address_line_1=""))
    aco = so_of(security_official, SspAcoFactory(name="Tidewater ACO"))
    client = sign_in(security_official)
    response = client.post(
        start_url(year),
        {
            "scope": "selected",
            "organizations": [practice.pk, small.pk, no_address.pk, aco.pk],
            "size": Size.MEDIUM,
            f"size_{small.pk}": Size.SMALL,
            "programs": ["web_interface"],
            "contact_source": "new",
            **{f"contact-{name}": value for name, value in PAT.items()},
        },
    )
    bulk = BulkRegistration.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(bulk)

    page = client.get(detail_url(bulk)).content.decode()

    assert "Nothing is registered yet." in page
    assert "1 will be registered" in page
    reviews = {item.organization.name: each for item, each in bulk_review.review(bulk)}
    assert reviews["Chesapeake Family Medicine"].outcome == "registered"
    assert reviews["Bayview Pediatrics"].outcome == "refused"
    assert "25 or more clinicians" in reviews["Bayview Pediatrics"].reason
    assert reviews["Harbor Point Clinic"].outcome == "refused"
    assert "Complete the organization information" in reviews["Harbor Point Clinic"].reason
    assert reviews["Tidewater ACO"].outcome == "automatic"
    assert "Automatically registered as a Shared Savings Program ACO." in page
    assert not Registration.objects.exists() and not Contact.objects.exists()


def test_a_typed_contact_with_mistakes_comes_back_next_to_its_field(
    sign_in, security_official, practice, year
):
    response = sign_in(security_official).post(
        start_url(year),
        {
            "scope": "selected",
            "organizations": [practice.pk],
            "size": Size.MEDIUM,
            "programs": ["cahps"],
            "contact_source": "new",
            "contact-first_name": "Pat",
            "contact-email": "not-an-address",
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_contact-last_name_error"' in page
    assert "Enter an e-mail address like name@example.com." in page
    assert 'value="Pat"' in page  # what was typed is kept
    assert not BulkRegistration.objects.exists()


def test_nothing_chosen_is_said_next_to_each_field(sign_in, security_official, practice, year):
    response = sign_in(security_official).post(
        start_url(year), {"scope": "selected", "contact_source": "existing"}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Select at least one organization, or all matching this filter." in page
    assert "Select at least one program." in page
    assert "Select at least one of your contacts, or enter one contact for all." in page


def test_a_size_is_needed_for_every_organization(sign_in, security_official, practice, year):
    response = sign_in(security_official).post(
        start_url(year),
        {
            "scope": "selected",
            "organizations": [practice.pk],
            "programs": ["cahps"],
            "contact_source": "new",
            **{f"contact-{name}": value for name, value in PAT.items()},
        },
    )

    assert response.status_code == 400
    assert (
        "Select the organization size for all, or for each selected organization."
        in response.content.decode()
    )


def test_all_matching_this_filter_takes_the_overview_s_narrowing(sign_in, security_official, practice, year):
    registered(practice, year, size=Size.MEDIUM)
    waiting = [so_of(security_official, OrganizationFactory(name=f"Clinic {n}")) for n in range(3)]
    last = year.__class__.objects.get(year=2024)
    registered(waiting[0], last, size=Size.MEDIUM, **PAT)
    (person,) = [each for each in official_contacts(security_official) if each.email == PAT["email"]]

    response = sign_in(security_official).post(
        start_url(year, "status=not_registered"),
        {
            "scope": "all",
            "size": Size.LARGE,
            "programs": ["cahps"],
            "contact_source": "existing",
            "contacts": [person.key],
        },
    )

    assert response.status_code == 302
    bulk = BulkRegistration.objects.get()
    assert sorted(bulk.items.values_list("organization_id", flat=True)) == sorted(org.pk for org in waiting)
    assert set(bulk.items.values_list("size", flat=True)) == {Size.LARGE}
    assert bulk.contacts == [PAT | {"phone": person.phone}]


def test_posted_ids_the_user_does_not_hold_are_refused_without_naming_them(
    sign_in, security_official, practice, year, outsider
):
    someone_elses = OrganizationFactory(name="Not Yours Clinic")
    staff_of = OrganizationFactory(name="Staff Only Clinic")
    RoleFactory(user=security_official, organization=staff_of, kind=Role.Kind.STAFF_USER)
    client = sign_in(security_official)

    for posted in ([someone_elses.pk], [staff_of.pk], [practice.pk, someone_elses.pk], ["abc"], ["99999999"]):
        response = client.post(
            start_url(year),
            {
                "scope": "selected",
                "organizations": posted,
                "size": Size.MEDIUM,
                "programs": ["cahps"],
                "contact_source": "new",
                **{f"contact-{name}": value for name, value in PAT.items()},
            },
        )
        page = response.content.decode()
        assert response.status_code == 400, posted
        assert "Select only organizations listed on this page." in page
        assert "Not Yours" not in page and "Staff Only" not in page
    assert not BulkRegistration.objects.exists()

    # The service refuses them too, naming none.
    with pytest.raises(RegistrationRefused) as refused:
        create(security_official, year, [practice, someone_elses, staff_of])
    assert (
        refused.value.reason
        == "2 selected organizations cannot be registered: you are not a Security Official of them."
    )
    assert not BulkRegistration.objects.exists()

    # Another user's bulk registration is not found.
    bulk = create(security_official, year, [practice])
    other = sign_in(outsider)
    assert other.get(detail_url(bulk)).status_code == 404
    assert other.post(register_url(bulk)).status_code == 404
    assert not Registration.objects.exists()


# --- Registering ----------------------------------------------------------------------------------------


def test_register_registers_each_organization_completely_with_history_and_one_e_mail_each(
    sign_in, security_official, practice, year, django_capture_on_commit_callbacks
):
    other = so_of(security_official, OrganizationFactory(name="Bayview Pediatrics"))
    bulk = create(security_official, year, [practice, other])
    client = sign_in(security_official)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(register_url(bulk), follow=True)

    page = response.content.decode()
    assert "2 of 2 organizations registered for performance year 2025" in page
    for organization in (practice, other):
        registration = Registration.objects.get(organization=organization, performance_year=year)
        assert registration.size == Size.MEDIUM
        assert registration.web_interface_status == registration.cahps_status == ProgramStatus.REGISTERED
        assert list(registration.contacts.values_list("email", flat=True)) == ["pat.lee@example.com"]
        assert registration.history.filter(history_user=security_official).exists()
        assert registration.registration_id in page
    # One confirmation per program and organization, to the contact: as by hand.
    subjects = [message.subject for message in mail.outbox]
    assert len(subjects) == 4 and all(message.to == ["pat.lee@example.com"] for message in mail.outbox)

    # Pressed again (back button, second tab): nothing more happens, nothing more is sent.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(register_url(bulk))
    bulk_registration.bulk_registration_run(bulk_id=bulk.pk)
    assert len(mail.outbox) == 4
    assert Contact.objects.count() == 2
    assert OutgoingEmail.objects.count() == 4


def test_one_refusal_holds_up_no_other_and_leaves_nothing_of_itself(security_official, practice, year):
    small = so_of(security_official, OrganizationFactory(name="Bayview Pediatrics"))
    taken = so_of(security_official, OrganizationFactory(name="Harbor Point Pediatrics"))
    bulk = create(security_official, year, [practice, small, taken], programs=["web_interface"])
    bulk.items.filter(organization=small).update(size=Size.SMALL)
    # A colleague registers Harbor Point by hand between the review and Register.
    registered(taken, year, size=Size.LARGE, contacts=1)

    items = run(bulk, security_official)

    assert items[practice.pk].outcome == "registered"
    assert items[small.pk].outcome == "refused"
    assert "25 or more clinicians" in items[small.pk].reason
    assert items[taken.pk].outcome == "refused"
    assert "Harbor Point Pediatrics is already registered for performance year 2025" in items[taken.pk].reason
    assert not Registration.objects.filter(organization=small).exists()
    assert Registration.objects.get(organization=taken, performance_year=year).contacts.count() == 1
    assert bulk.state == "done"


def test_an_organization_refused_midway_is_registered_not_at_all(
    security_official, practice, year, monkeypatch
):
    """All or nothing per organization: a step refused after the registration and its contacts
    were written rolls them back, and the others go on."""
    other = so_of(security_official, OrganizationFactory(name="Bayview Pediatrics"))
    bulk = create(security_official, year, [practice, other])
    real_submit = bulk_registration.registration_submit

    def refuse_cahps_of_practice(**kwargs):
        if kwargs["organization"].pk == practice.pk and kwargs["program"] == "cahps":
            raise RegistrationRefused("The CAHPS step failed.")
        return real_submit(**kwargs)

    monkeypatch.setattr(bulk_registration, "registration_submit", refuse_cahps_of_practice)

    items = run(bulk, security_official)

    assert items[practice.pk].outcome == "refused" and items[practice.pk].reason == "The CAHPS step failed."
    assert not Registration.objects.filter(organization=practice).exists()
    assert not Contact.objects.filter(registration__organization=practice).exists()
    assert items[other.pk].outcome == "registered"
    registration = Registration.objects.get(organization=other)
    assert registration.is_registered_for_any and registration.contacts.count() == 1


def test_a_run_again_registers_nothing_twice(security_official, practice, year):
    bulk = create(security_official, year, [practice])
    run(bulk, security_official)
    BulkRegistrationItem.objects.filter(bulk=bulk).update(outcome="")  # as if a worker died before recording

    again = bulk_registration.bulk_registration_run(bulk_id=bulk.pk)

    (item,) = again.bulk.items.all()
    assert item.outcome == "refused" and "already registered" in item.reason
    assert Registration.objects.count() == 1 and Contact.objects.count() == 1


def use_tasks(settings, backend):
    settings.TASKS = {"default": {"BACKEND": backend}}
    # django.tasks keeps its backends once made; start again from the new setting.
    task_backends.__dict__.pop("settings", None)
    task_backends._settings = None
    task_backends._connections = Local(task_backends.thread_critical)


@pytest.fixture
def database_queue(settings):
    use_tasks(settings, "django_tasks_db.DatabaseBackend")
    yield
    use_tasks(settings, "django.tasks.backends.immediate.ImmediateBackend")


def test_more_than_fifty_go_to_the_task_and_the_page_shows_progress(
    sign_in, security_official, practice, year, settings, database_queue
):
    settings.BULK_REGISTRATION_IN_REQUEST = 2  # four organizations stand for more than fifty
    organizations = [practice, *(so_of(security_official, OrganizationFactory()) for _ in range(3))]
    bulk = create(security_official, year, organizations)
    client = sign_in(security_official)

    client.post(register_url(bulk))
    page = client.get(detail_url(bulk)).content.decode()
    progress = client.get(
        reverse("bulk_registration_progress", kwargs={"year": 2025, "bulk_id": bulk.pk})
    ).json()

    assert DBTaskResult.objects.filter(task_path__endswith="run_bulk_registration").count() == 1
    assert not Registration.objects.exists()  # left to the worker
    assert "Registering 4 organizations" in page
    assert '<progress class="qpp-progress width-full" id="bulk-progress-bar" max="4" value="0">' in page
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert progress == {
        "state": "queued",
        "total": 4,
        "done": 0,
        "registered": 0,
        "automatic": 0,
        "refused": 0,
        "percent": 0,
    }

    from registrations.bulk_registration import run_bulk_registration

    run_bulk_registration.call(bulk.pk)  # the worker
    page = client.get(detail_url(bulk)).content.decode()
    assert "4 of 4 organizations registered" in page
    assert "refresh" not in page
    # The official comes back later: the selection page lists it.
    assert f'href="{detail_url(bulk)}"' in client.get(start_url(year)).content.decode()


def test_outside_the_window_nothing_is_registered(sign_in, security_official, practice, year):
    bulk = create(security_official, year, [practice])
    year.window_opens = timezone.now() - timedelta(days=2)
    year.window_closes = timezone.now() - timedelta(days=1)
    year.save()

    response = sign_in(security_official).post(register_url(bulk), follow=True)

    assert "Registration is not open" in response.content.decode()
    assert not Registration.objects.exists()
    assert BulkRegistration.objects.get().state == "draft"


# --- Queries ---------------------------------------------------------------------------------------------


def test_the_review_and_result_pages_run_a_fixed_number_of_queries(
    sign_in, security_official, practice, year
):
    client = sign_in(security_official)

    def pages(count):
        organizations = [so_of(security_official, OrganizationFactory()) for _ in range(count)]
        bulk = create(security_official, year, organizations)
        review = _queries(client, detail_url(bulk))
        selection = _queries(client, start_url(year))
        run(bulk, security_official)
        return review, selection, _queries(client, detail_url(bulk))

    few = pages(2)
    many = pages(30)

    assert few == many, (few, many)
