"""Register as Last Year: organizations registered in the previous performance year are
registered again with the same programs (where this year's rules allow them), size and
contacts, several in one step, each whole or not at all."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact
from organizations.models import Role
from registrations import register_again
from registrations.guide_years import LIKE_2021, LIKE_2023, open_window_around
from registrations.models import ProgramStatus, Registration, Size, Source
from tests.factories import (
    OrganizationFactory,
    PerformanceYearFactory,
    RegistrationFactory,
    RoleFactory,
    SspAcoFactory,
    VirtualGroupFactory,
    registered,
    so_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def years(db):
    now = timezone.now()
    closed = {"window_opens": now - timedelta(days=400), "window_closes": now - timedelta(days=300)}
    return (
        PerformanceYearFactory(year=2024, **LIKE_2021, **closed),
        PerformanceYearFactory(year=2025, **LIKE_2021, **open_window_around(now)),
    )


def registered_last_year(organization, year, *, size=Size.MEDIUM, **programs):
    return registered(organization, year, size=size, **programs)


def url(year):
    return reverse("register_as_last_year", kwargs={"year": year.year})


def test_the_page_shows_what_each_organization_gets_this_year(sign_in, security_official, practice, years):
    last, this = years
    registered_last_year(practice, last, size=Size.MEDIUM)
    small = so_of(security_official, OrganizationFactory(name="Bayview Pediatrics"))
    registered_last_year(small, last, size=Size.SMALL, web_interface=False)

    response = sign_in(security_official).get(url(this))

    page = response.content.decode()
    assert response.status_code == 200
    plans = {plan.organization.name: plan for plan in (row["plan"] for row in response.context["rows"])}
    assert plans["Chesapeake Family Medicine"].program_labels == [
        "CMS Web Interface",
        "CAHPS for MIPS Survey",
    ]
    assert plans["Bayview Pediatrics"].program_labels == ["CAHPS for MIPS Survey"]
    assert "Organization size: 25–99" in page
    assert 'name="organization"' in page


def test_registers_several_in_one_step_with_size_contacts_programs_history_and_e_mail(
    sign_in, security_official, practice, years, django_capture_on_commit_callbacks
):
    last, this = years
    before = registered_last_year(practice, last, size=Size.MEDIUM, contacts=2)
    other = so_of(security_official, OrganizationFactory(name="Bayview Pediatrics"))
    registered_last_year(other, last, size=Size.SMALL, web_interface=False)
    client = sign_in(security_official)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(this), {"organization": [practice.pk, other.pk]}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("registration_list", kwargs={"year": 2025})
    registration = Registration.objects.get(organization=practice, performance_year=this)
    assert registration.size == Size.MEDIUM
    assert registration.web_interface_status == ProgramStatus.REGISTERED
    assert registration.cahps_status == ProgramStatus.REGISTERED
    assert registration.registration_id != before.registration_id
    assert sorted(
        Contact.objects.filter(registration=registration).values_list("email", flat=True)
    ) == sorted(before.contacts.values_list("email", flat=True))
    assert registration.history.filter(history_user=security_official).exists()
    assert Registration.objects.get(organization=other, performance_year=this).cahps_status == "registered"
    page = response.content.decode()
    assert "Chesapeake Family Medicine is registered for performance year 2025 as last year" in page
    assert registration.registration_id in page
    assert any("registered" in message.subject.lower() for message in mail.outbox)


def test_each_organization_is_refused_on_its_own_and_nothing_of_it_is_kept(
    sign_in, security_official, practice, years
):
    last, this = years
    registered_last_year(practice, last)
    taken = so_of(security_official, OrganizationFactory(name="Harbor Point Pediatrics"))
    registered_last_year(taken, last)
    # A colleague registered it for this year between the review and Register.
    RegistrationFactory(
        organization=taken,
        performance_year=this,
        size=Size.SMALL,
        cahps_status=ProgramStatus.REGISTERED,
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    contacts_before = Contact.objects.count()

    response = sign_in(security_official).post(
        url(this), {"organization": [practice.pk, taken.pk]}, follow=True
    )

    page = response.content.decode()
    assert (
        "Harbor Point Pediatrics was not registered: Harbor Point Pediatrics already has a registration"
        in page
    )
    assert Registration.objects.get(organization=practice, performance_year=this).is_registered_for_any
    taken_now = Registration.objects.get(organization=taken, performance_year=this)
    assert taken_now.contacts.count() == 0  # nothing of last year's was added to it
    assert Contact.objects.count() == contacts_before + 1  # the practice's one contact only


def test_programs_this_years_rules_refuse_are_left_out_with_their_reasons(security_official, years):
    last, this = years
    aco = so_of(security_official, SspAcoFactory(name="Tidewater ACO"))
    registered_last_year(aco, last)

    (plan,) = register_again.plans(user=security_official, year=this, previous=last)

    # Shared Savings Program ACOs are registered automatically [2021 #5], not by their SO.
    assert plan.programs == ()
    assert [program.value for program, _ in plan.skipped] == ["web_interface", "cahps"]
    assert plan.refusal.startswith("Automatically registered as a Shared Savings Program ACO.")


def test_a_cahps_only_year_registers_the_survey_complete_from_last_years_size_and_contact(
    sign_in, security_official, practice, years
):
    last_2025 = years[1]
    this = PerformanceYearFactory(year=2026, **LIKE_2023, **open_window_around(timezone.now()))
    registered_last_year(practice, last_2025, size=Size.SMALL, web_interface=False)

    sign_in(security_official).post(url(this), {"organization": [practice.pk]})

    registration = Registration.objects.get(organization=practice, performance_year=this)
    assert registration.cahps_status == ProgramStatus.REGISTERED  # Complete [2023 §IV.3]
    assert registration.size == Size.SMALL
    assert registration.contacts.count() == 1


def test_organizations_of_others_are_refused_whatever_ids_are_posted(
    sign_in, security_official, practice, years, outsider
):
    last, this = years
    registered_last_year(practice, last)
    someone_elses = OrganizationFactory(name="Not Yours Clinic")
    registered_last_year(someone_elses, last)
    staff_of = OrganizationFactory(name="Staff Only Clinic")
    RoleFactory(user=security_official, organization=staff_of, kind=Role.Kind.STAFF_USER)
    registered_last_year(staff_of, last)
    client = sign_in(security_official)

    for posted in (
        [someone_elses.pk],
        [staff_of.pk],
        [practice.pk, someone_elses.pk],
        ["abc"],
        ["99999999999"],
    ):
        response = client.post(url(this), {"organization": posted})
        assert response.status_code == 400, posted
        assert "Select only organizations listed on this page." in response.content.decode()

    assert not Registration.objects.filter(performance_year=this).exists()
    # The service itself refuses them too, naming none.
    outcomes = register_again.register_as_last_year(
        organization_ids=[someone_elses.pk, staff_of.pk], year=this, by=security_official
    )
    assert [outcome.organization for outcome in outcomes] == [None]
    assert "not a Security Official" in outcomes[0].reason
    assert "Not Yours" not in outcomes[0].reason
    assert not Registration.objects.filter(performance_year=this).exists()
    # A user with no role at all sees no organization.
    response = sign_in(outsider).get(url(this))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Not Yours Clinic" not in page and "Chesapeake" not in page


def test_nothing_selected_is_said_next_to_the_list(sign_in, security_official, practice, years):
    last, this = years
    registered_last_year(practice, last)

    response = sign_in(security_official).post(url(this), {})

    assert response.status_code == 400
    assert "Select at least one organization to register as last year." in response.content.decode()


def test_outside_the_window_nothing_is_registered(sign_in, security_official, practice, years):
    last, this = years
    registered_last_year(practice, last)
    # Closed a day ago, having opened the day before (the window opened yesterday at 10 a.m. ET,
    # which before 10 a.m. ET is later than a day ago).
    this.window_opens = timezone.now() - timedelta(days=2)
    this.window_closes = timezone.now() - timedelta(days=1)
    this.save()

    response = sign_in(security_official).post(url(this), {"organization": [practice.pk]}, follow=True)

    assert not Registration.objects.filter(performance_year=this).exists()
    page = response.content.decode()
    assert "Registration is not open" in page
    assert 'type="submit">Register<' not in page
    assert 'name="organization"' not in page


def test_the_overview_offers_it_in_a_fixed_number_of_queries(sign_in, security_official, practice, years):
    last, this = years
    registered_last_year(practice, last)
    client = sign_in(security_official)
    overview = reverse("registration_list", kwargs={"year": this.year})

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page = client.get(overview).content.decode()
        return len([q for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]), page

    few, page = queries()
    assert "One of your organizations was registered in the previous performance year." in page
    assert url(this) in page
    for n in range(12):
        registered_last_year(so_of(security_official, OrganizationFactory(name=f"Clinic {n:02d}")), last)
    many, page = queries()
    assert "13 of your organizations were registered in the previous performance year." in page
    assert many == few

    Registration.objects.filter(performance_year=last).update(
        cahps_status=ProgramStatus.NOT_REGISTERED,
        cahps_source=Source.NONE,
        web_interface_status=ProgramStatus.NOT_REGISTERED,
        web_interface_source=Source.NONE,
    )
    assert "Register as last year" not in client.get(overview).content.decode()


def test_each_card_registered_last_year_offers_it_with_the_organization_selected(
    sign_in, security_official, practice, years
):
    last, this = years
    registered_last_year(practice, last)
    new = so_of(security_official, OrganizationFactory(name="Bayview Pediatrics"))
    client = sign_in(security_official)

    overview = client.get(reverse("registration_list", kwargs={"year": this.year}))

    items = {item["row"].organization.pk: item for item in overview.context["items"]}
    assert items[practice.pk]["as_last_year"] and not items[new.pk]["as_last_year"]
    link = f"{url(this)}?organization={practice.pk}"
    assert overview.content.decode().count(link) == 1
    page = client.get(link).content.decode()
    assert f'value="{practice.pk}" id="organization_0" checked' in page


def test_a_list_of_several_pages_counts_every_organization_it_could_offer(
    sign_in, security_official, practice, years
):
    """The banner counts the user's organizations on every page, and each page's cards offer it
    for their own; an organization already started this year is not counted."""
    last, this = years
    registered_last_year(practice, last)
    for n in range(29):
        registered_last_year(so_of(security_official, OrganizationFactory(name=f"Clinic {n:02d}")), last)
    registered(practice, this, size=Size.MEDIUM)  # Chesapeake has started this year
    client = sign_in(security_official)
    overview = reverse("registration_list", kwargs={"year": this.year})

    for page_number, offered_on_page in ((1, 24), (2, 5)):  # Chesapeake is on the first page
        response = client.get(overview, {"page": page_number})
        assert "29 of your organizations were registered in the previous performance year." in (
            response.content.decode()
        )
        offers = [item["row"].organization.name for item in response.context["items"] if item["as_last_year"]]
        assert len(offers) == offered_on_page
        assert "Chesapeake Family Medicine" not in offers


def test_the_cahps_list_counts_the_same_offers_as_register_again(security_official, years):
    """The lists count their banner's offers over joins (``deadlines.list_counts``, with
    ``register_again.last_year_join``); that count is ``offer_count``'s, whatever each organization
    had last year and has this year."""
    from registrations import deadlines

    last, this = years
    offered = [
        registered_last_year(so_of(security_official, OrganizationFactory()), last, cahps=False),
        registered_last_year(so_of(security_official, OrganizationFactory()), last, web_interface=False),
        registered_last_year(so_of(security_official, SspAcoFactory()), last),
    ]
    started = so_of(security_official, OrganizationFactory())
    registered_last_year(started, last)
    RegistrationFactory(organization=started, performance_year=this, size=Size.SMALL)
    nothing_last_year = so_of(security_official, OrganizationFactory())
    RegistrationFactory(organization=nothing_last_year, performance_year=last, size=Size.SMALL)
    so_of(security_official, OrganizationFactory())  # never registered
    staff_of = OrganizationFactory()
    registered_last_year(staff_of, last)
    RoleFactory(user=security_official, organization=staff_of, kind=Role.Kind.STAFF_USER)
    registered_last_year(OrganizationFactory(), last)  # someone else's

    counted = deadlines.list_counts(security_official, year=this, previous=last, now=timezone.now())

    assert (
        counted.offers
        == register_again.offer_count(user=security_official, year=this, previous=last)
        == len(offered)
    )
    assert (
        sum(counted.by_kind.values())
        == Role.objects.filter(user=security_official, kind=Role.Kind.SECURITY_OFFICIAL).count()
    )


@pytest.mark.parametrize("cahps_only", [False, True], ids=["2020/2021 year", "CAHPS-only year"])
def test_a_list_counts_tabs_offers_and_deadline_in_one_query_as_each_apart(
    security_official, years, cahps_only
):
    """The lists read their tabs, their banner's offers and their deadline box in one query
    (``deadlines.list_counts``): the same figures as ``lists.kind_counts``,
    ``register_again.offer_count`` and ``deadlines`` each read apart."""
    from registrations import deadlines
    from registrations.lists import kind_counts

    last, this = years
    if cahps_only:
        this = PerformanceYearFactory(year=2026, **LIKE_2023, **open_window_around(timezone.now()))
        last = years[1]
    registered_last_year(so_of(security_official, OrganizationFactory()), last)  # offered
    registered_last_year(so_of(security_official, VirtualGroupFactory()), last, cahps=False)  # offered
    started = so_of(security_official, OrganizationFactory())
    registered_last_year(started, last)
    RegistrationFactory(organization=started, performance_year=this, size=Size.SMALL)
    done = so_of(security_official, OrganizationFactory())
    registered(done, this, size=Size.MEDIUM)
    so_of(security_official, OrganizationFactory())  # never registered
    registered_last_year(OrganizationFactory(), last)  # someone else's
    now = timezone.now()

    with CaptureQueriesContext(connection) as queries:
        counted = deadlines.list_counts(security_official, year=this, previous=last, now=now)

    assert len(queries) == 1
    assert counted.by_kind == kind_counts(security_official)
    assert counted.offers == register_again.offer_count(user=security_official, year=this, previous=last) == 2
    assert counted.deadlines == deadlines.deadlines(security_official, [this], now)
    # All but the one registered this year: the fixture's practice among them.
    assert counted.deadlines[0].remaining == 5


def test_the_form_is_sent_to_the_page_itself(sign_in, security_official, practice, years):
    last, this = years
    registered_last_year(practice, last)

    page = sign_in(security_official).get(f"{url(this)}?organization={practice.pk}").content.decode()

    assert f'<form method="post" action="{url(this)}" novalidate>' in page
    assert 'action=""' not in page
