"""Register many at once in a CAHPS-only year [2023; issue 27 item 2]: organizations chosen on the
CAHPS list's narrowed tab (or all that match it), each at any size [2023 §I], reviewed under the
year's rules, then registered as the Register for CAHPS page registers one: Register Group for
CAHPS, the size, the contacts, and the CAHPS status Complete [2023 §IV.3]; no confirmation e-mail
unless asked for, on the selection or afterwards on the registration page."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact
from organizations.models import Role
from qpp_registration.core.background.models import OutgoingEmail
from qpp_registration.core.exceptions import RegistrationRefused
from registrations import bulk_registration, bulk_review
from registrations.cahps.confirmation import registration_confirmation_send
from registrations.guide_years import LIKE_2023, open_window_around
from registrations.models import BulkRegistration, ProgramStatus, Registration, Size
from registrations.official_contacts import official_contacts
from tests.factories import (
    ApmEntityFactory,
    OrganizationFactory,
    PerformanceYearFactory,
    RoleFactory,
    SspAcoFactory,
    SubgroupFactory,
    VirtualGroupFactory,
    registered,
    so_of,
)
from tests.registrations.bulk_helpers import PAT, create, detail_url, register_url, run, start_url
from tests.test_list_queries import _queries

pytestmark = pytest.mark.django_db

TYPED_PAT = {f"contact-{name}": value for name, value in PAT.items()}


@pytest.fixture
def year(db):
    return PerformanceYearFactory(year=2026, **LIKE_2023, **open_window_around(timezone.now()))


# --- The way in, the selection and the review ---------------------------------------------------------


def test_the_cahps_list_leads_to_register_many_with_its_tab_status_and_search(
    sign_in, security_official, practice, year
):
    client = sign_in(security_official)
    url = reverse("cahps_registration_list", kwargs={"year": year.year})

    plain = client.get(url).content.decode()
    narrowed = client.get(f"{url}?tab=practices&status=not-started&q=Chesapeake").content.decode()

    assert f'href="{start_url(year, "tab=practices")}">Register many at once</a>' in plain
    assert (
        f'href="{start_url(year, "tab=practices&amp;status=not-started&amp;q=Chesapeake")}">'
        "Register many at once</a> (from the organizations matching this search)"
    ) in narrowed


def test_the_selection_narrows_as_the_cahps_list_and_speaks_its_words(
    sign_in, security_official, practice, year
):
    registered(practice, year, size=Size.MEDIUM, web_interface=False)  # Complete: "not started" leaves it out
    waiting = so_of(security_official, OrganizationFactory(name="Bayview Pediatrics"))
    group = so_of(security_official, VirtualGroupFactory(name="Bayview Virtual Group"))
    client = sign_in(security_official)

    response = client.get(start_url(year, "tab=practices&status=not-started"))
    page = response.content.decode()

    assert response.status_code == 200
    assert f'id="org-{waiting.pk}"' in page and f'id="org-{practice.pk}"' not in page
    assert f'id="org-{group.pk}"' not in page  # another tab
    assert "Your organizations matching type Practices, status not started: 1." in page
    assert "All 1 organization matching this filter" in page
    # One program, not chosen; every size, in the Register for CAHPS page's words.
    assert 'name="programs"' not in page and "Program: <strong>CAHPS for MIPS Survey</strong>." in page
    assert ">2–24 clinicians</option>" in page and ">100 or more clinicians</option>" in page
    assert "Every size allows the CAHPS for MIPS Survey" in page
    assert ">Email" in page and ">E-mail" not in page  # the CAHPS contact form's labels
    # The way back is the CAHPS list, narrowed as it was.
    back = reverse("cahps_registration_list", kwargs={"year": year.year})
    assert f'href="{back}?tab=practices&amp;status=not-started"><span>Register and Edit CAHPS' in page
    assert "Change the search on the CAHPS list" in page

    # A search looks through every tab, as on the list.
    searched = client.get(start_url(year, "tab=practices&q=Bayview")).content.decode()
    assert f'id="org-{waiting.pk}"' in searched and f'id="org-{group.pk}"' in searched


def test_without_a_tab_the_selection_starts_on_the_first_tab_the_user_has(sign_in, outsider, year):
    entity = so_of(outsider, ApmEntityFactory(name="Coastal APM Entity"))
    so_of(outsider, OrganizationFactory(name="Harbor Practice"))

    page = sign_in(outsider).get(start_url(year)).content.decode()

    assert f'id="org-{entity.pk}"' in page and "Harbor Practice" not in page
    assert "Your organizations matching type APM Entities: 1." in page


def test_the_review_gives_each_organization_its_cahps_outcome_and_writes_nothing(
    sign_in, security_official, practice, year
):
    small = so_of(security_official, OrganizationFactory(name="Bayview Pediatrics", address_line_1=""))
    subgroup = so_of(security_official, SubgroupFactory(name="Bayview Subgroup", parent=practice))
    aco = so_of(security_official, SspAcoFactory(name="Tidewater ACO"))
    done = so_of(security_official, OrganizationFactory(name="Harbor Point Clinic"))
    complete = registered(done, year, size=Size.LARGE, web_interface=False)
    client = sign_in(security_official)

    response = client.post(
        start_url(year, "tab=practices"),
        {
            "scope": "selected",
            "organizations": [practice.pk, small.pk, subgroup.pk, done.pk],
            "size": Size.MEDIUM,
            f"size_{small.pk}": Size.SMALL,
            "contact_source": "new",
            **TYPED_PAT,
        },
    )
    bulk = BulkRegistration.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(bulk)
    assert bulk.programs == ["cahps"]
    bulk.items.create(organization=aco, size=Size.LARGE)  # an APM Entity, on another tab

    page = client.get(detail_url(bulk)).content.decode()

    reviews = {item.organization.name: each for item, each in bulk_review.review(bulk)}
    assert "2 will be registered" in page
    assert "Will be registered:</strong> CAHPS for MIPS Survey, status Complete" in page
    # 2–24 is allowed [2023 §I], and a CAHPS-only year asks for no mailing address.
    assert reviews["Bayview Pediatrics"].outcome == "registered"
    assert reviews["Bayview Subgroup"].outcome == "refused"
    assert "The QPP Service Center completes a subgroup" in reviews["Bayview Subgroup"].reason
    assert reviews["Tidewater ACO"].outcome == "automatic"
    assert reviews["Harbor Point Clinic"].outcome == "refused"
    assert f"(registration ID {complete.registration_id}, Complete)" in reviews["Harbor Point Clinic"].reason
    assert "Cannot be registered.</strong> Subgroups do not register here." in page
    assert Registration.objects.count() == 1 and Contact.objects.count() == 1
    back = reverse("cahps_registration_list", kwargs={"year": year.year})
    assert f'href="{back}"><span>Register and Edit CAHPS Registration</span>' in page


def test_a_typed_contact_needs_every_field_in_the_cahps_words(sign_in, security_official, practice, year):
    response = sign_in(security_official).post(
        start_url(year),
        {
            "scope": "selected",
            "organizations": [practice.pk],
            "size": Size.MEDIUM,
            "contact_source": "new",
            "contact-first_name": "Pat",
            "contact-email": "not-an-address",
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter the contact&#39;s last name." in page
    assert "Enter the contact&#39;s phone number." in page
    assert "Enter an email address like name@example.com." in page
    assert 'value="Pat"' in page
    assert not BulkRegistration.objects.exists()


def test_posted_ids_the_user_does_not_hold_are_refused_without_naming_them(
    sign_in, security_official, practice, year, outsider
):
    someone_elses = OrganizationFactory(name="Not Yours Clinic")
    staff_of = OrganizationFactory(name="Staff Only Clinic")
    RoleFactory(user=security_official, organization=staff_of, kind=Role.Kind.STAFF_USER)
    client = sign_in(security_official)

    for posted in ([someone_elses.pk], [staff_of.pk], [practice.pk, someone_elses.pk], ["abc"]):
        response = client.post(
            start_url(year),
            {
                "scope": "selected",
                "organizations": posted,
                "size": Size.MEDIUM,
                "contact_source": "new",
                **TYPED_PAT,
            },
        )
        page = response.content.decode()
        assert response.status_code == 400, posted
        assert "Select only organizations listed on this page." in page
        assert "Not Yours" not in page and "Staff Only" not in page

    with pytest.raises(RegistrationRefused) as refused:
        create(security_official, year, [practice, someone_elses, staff_of])
    assert (
        refused.value.reason
        == "2 selected organizations cannot be registered: you are not a Security Official of them."
    )
    bulk = create(security_official, year, [practice])
    assert sign_in(outsider).get(detail_url(bulk)).status_code == 404
    assert sign_in(outsider).post(register_url(bulk)).status_code == 404
    assert not Registration.objects.exists()


# --- Registering ----------------------------------------------------------------------------------------


def test_register_makes_each_cahps_registration_complete_with_its_contacts_and_sends_no_e_mail(
    sign_in, security_official, practice, year, django_capture_on_commit_callbacks
):
    small = so_of(security_official, OrganizationFactory(name="Bayview Pediatrics"))
    subgroup = so_of(security_official, SubgroupFactory(name="Bayview Subgroup", parent=practice))
    registered(OrganizationFactory(), year, size=Size.MEDIUM, web_interface=False)  # not the user's
    # Pat Lee is on another of the user's organizations' registrations: one of the official's contacts.
    registered(
        so_of(security_official, ApmEntityFactory()), year, size=Size.MEDIUM, web_interface=False, **PAT
    )
    (person,) = official_contacts(security_official)
    client = sign_in(security_official)
    client.post(
        start_url(year, "tab=practices"),
        {
            "scope": "selected",
            "organizations": [practice.pk, small.pk, subgroup.pk],
            "size": Size.LARGE,
            f"size_{small.pk}": Size.SMALL,
            "contact_source": "existing",
            "contacts": [person.key],
        },
    )
    bulk = BulkRegistration.objects.get(performance_year=year)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(register_url(bulk), follow=True)

    page = response.content.decode()
    assert "2 of 3 organizations registered for performance year 2026" in page
    assert "Each registered organization’s CAHPS status is Complete. No confirmation email was sent" in page
    for organization, size in ((practice, Size.LARGE), (small, Size.SMALL)):
        registration = Registration.objects.get(organization=organization, performance_year=year)
        assert registration.size == size
        assert registration.cahps_status == ProgramStatus.REGISTERED  # Complete
        assert registration.web_interface_status == ProgramStatus.NOT_REGISTERED
        assert [(c.first_name, c.email) for c in registration.contacts.all()] == [("Pat", PAT["email"])]
        assert registration.history.filter(history_user=security_official).exists()
        link = reverse("cahps_registration", kwargs={"year": 2026, "organization_id": organization.pk})
        assert f'href="{link}">{registration.registration_id}' in page
    refused = bulk.items.get(organization=subgroup)
    assert refused.outcome == "refused" and "Subgroups do not register here." in refused.reason
    assert not Registration.objects.filter(organization=subgroup).exists()
    # As on the Register for CAHPS page: no confirmation e-mail [2023 §IV.3] ...
    assert mail.outbox == [] and not OutgoingEmail.objects.exists()
    back = reverse("cahps_registration_list", kwargs={"year": 2026})
    assert f'<a class="usa-button margin-top-2" href="{back}">Back to List</a>' in page

    # ... unless the Security Official asks for one on the registration page: once, to the contact.
    with django_capture_on_commit_callbacks(execute=True):
        registration_confirmation_send(
            registration=Registration.objects.get(organization=practice, performance_year=year),
            by=security_official,
        )
    assert [message.to for message in mail.outbox] == [[PAT["email"]]]

    # Pressed again: nothing more happens, nothing more is sent.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(register_url(bulk))
    bulk_registration.bulk_registration_run(bulk_id=bulk.pk)
    assert len(mail.outbox) == 1
    assert Contact.objects.filter(registration__organization__in=[practice, small]).count() == 2


def test_a_confirmation_asked_for_goes_once_to_each_registered_organizations_contacts(
    sign_in, security_official, practice, year, django_capture_on_commit_callbacks
):
    """*Email a confirmation to each registered organization's contacts* on the selection: the
    review and the result say so, and each organization registered sends its contacts the message
    its Register for CAHPS page would send, once; a refused one sends nothing."""
    small = so_of(security_official, OrganizationFactory(name="Bayview Pediatrics"))
    subgroup = so_of(security_official, SubgroupFactory(name="Bayview Subgroup", parent=practice))
    client = sign_in(security_official)
    response = client.post(
        start_url(year, "tab=practices"),
        {
            "scope": "selected",
            "organizations": [practice.pk, small.pk, subgroup.pk],
            "size": Size.MEDIUM,
            "contact_source": "new",
            **TYPED_PAT,
            "email_confirmation": "on",
        },
    )
    bulk = BulkRegistration.objects.get(performance_year=year)
    assert bulk.email_confirmation
    review = client.get(response["Location"]).content.decode()
    assert "Each organization registered emails its contacts a confirmation." in review
    assert not OutgoingEmail.objects.exists()  # nothing before Register

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(register_url(bulk), follow=True).content.decode()

    assert "Each registered organization’s CAHPS status is Complete. Each one’s contacts are emailed" in page
    sent = sorted(mail.outbox, key=lambda message: message.body)
    assert [message.to for message in sent] == [[PAT["email"]], [PAT["email"]]]
    for organization in (practice, small):
        registration = Registration.objects.get(organization=organization, performance_year=year)
        assert sum(registration.registration_id in message.body for message in sent) == 1
    assert not Registration.objects.filter(organization=subgroup).exists()

    # Pressed again, or a worker running it again: nothing more is sent.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(register_url(bulk))
        bulk_registration.bulk_registration_run(bulk_id=bulk.pk)
    assert len(mail.outbox) == 2


def test_an_organization_rolled_back_after_its_confirmation_sends_nothing(
    security_official, practice, year, monkeypatch, django_capture_on_commit_callbacks
):
    """The confirmation is queued in the organization's own transaction: rolled back, it is gone."""
    bulk = create(security_official, year, [practice], email_confirmation=True)
    real_send = bulk_registration.registration_confirmation_send

    def send_then_fail(**kwargs):
        real_send(**kwargs)
        raise RegistrationRefused("Something failed after the confirmation was queued.")

    monkeypatch.setattr(bulk_registration, "registration_confirmation_send", send_then_fail)

    with django_capture_on_commit_callbacks(execute=True):
        items = run(bulk, security_official)

    assert items[practice.pk].outcome == "refused"
    assert not Registration.objects.filter(organization=practice).exists()
    assert mail.outbox == [] and not OutgoingEmail.objects.exists()


def test_a_2020_2021_year_has_no_confirmation_box_and_keeps_none(security_official, practice):
    """A year with the CMS Web Interface e-mails the contacts anyway [2020 §IV.8]: no box to ask,
    and a draft never records one."""
    from registrations.guide_years import LIKE_2021
    from registrations.web_interface.bulk_forms import BulkSelectForm

    year_2025 = PerformanceYearFactory(year=2025, **LIKE_2021, **open_window_around(timezone.now()))

    assert "email_confirmation" not in BulkSelectForm(year=year_2025).fields
    bulk = create(security_official, year_2025, [practice], email_confirmation=True)
    assert not bulk.email_confirmation


def test_an_organization_refused_midway_is_registered_not_at_all(
    security_official, practice, year, monkeypatch
):
    """Register Group for CAHPS, the size and a contact written, then a refusal: the organization
    is rolled back whole, with its outcome, and the others go on."""
    other = so_of(security_official, OrganizationFactory(name="Bayview Pediatrics"))
    bulk = create(security_official, year, [practice, other])
    real_add = bulk_registration.contact_add

    def refuse_for_practice(**kwargs):
        real_add(**kwargs)
        if kwargs["registration"].organization_id == practice.pk:
            raise RegistrationRefused("The contact step failed.")

    monkeypatch.setattr(bulk_registration, "contact_add", refuse_for_practice)

    items = run(bulk, security_official)

    assert items[practice.pk].outcome == "refused" and items[practice.pk].reason == "The contact step failed."
    assert not Registration.objects.filter(organization=practice).exists()
    assert not Contact.objects.filter(registration__organization=practice).exists()
    assert items[other.pk].outcome == "registered"
    assert Registration.objects.get(organization=other).cahps_status == ProgramStatus.REGISTERED


def test_a_registration_started_by_register_group_for_cahps_is_finished(security_official, practice, year):
    """Register Group for CAHPS pressed on the list, nothing more: the bulk run gives it its size
    and contact, with the same registration ID."""
    from registrations import workflows

    started = workflows.cahps_register(organization=practice, year=year, by=security_official)
    bulk = create(security_official, year, [practice])

    items = run(bulk, security_official)

    registration = Registration.objects.get(organization=practice, performance_year=year)
    assert items[practice.pk].outcome == "registered"
    assert registration.registration_id == started.registration_id
    assert registration.cahps_status == ProgramStatus.REGISTERED and registration.size == Size.MEDIUM


# --- Queries ---------------------------------------------------------------------------------------------


def test_the_selection_review_and_result_run_a_fixed_number_of_queries(
    sign_in, security_official, practice, year
):
    client = sign_in(security_official)

    def pages(count):
        organizations = [so_of(security_official, OrganizationFactory()) for _ in range(count)]
        bulk = create(security_official, year, organizations)
        review = _queries(client, detail_url(bulk))
        selection = _queries(client, start_url(year, "tab=practices&status=not-started"))
        run(bulk, security_official)
        return review, selection, _queries(client, detail_url(bulk))

    few = pages(2)
    many = pages(30)

    assert few == many, (few, many)
