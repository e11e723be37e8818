"""The main registration page [2020 §IV.1–2, §IV.9, §VI]."""

import pytest
from django.urls import reverse

from organizations.models import Role
from registrations.models import ProgramStatus, Size, Source
from tests.factories import (
    ContactFactory,
    OrganizationFactory,
    RegistrationFactory,
    RoleFactory,
    SspAcoFactory,
    SubgroupFactory,
)

pytestmark = pytest.mark.django_db

CANCEL_WEB_INTERFACE = (
    'Cancel Registration<span class="usa-sr-only"> of Chesapeake Family Medicine for the CMS Web Interface'
)


def list_url(year=2021):
    return reverse("registration_list", kwargs={"year": year})


def test_lists_only_organizations_where_the_user_is_security_official(
    sign_in, security_official, practice, window_open_2021
):
    elsewhere = OrganizationFactory(name="Staff-only Clinic")
    RoleFactory(user=security_official, organization=elsewhere, kind=Role.Kind.STAFF_USER)
    OrganizationFactory(name="Somebody Else's Practice")

    page = sign_in(security_official).get(list_url()).content.decode()

    assert "Chesapeake Family Medicine" in page
    assert "***-**-6789" in page
    assert "123456789" not in page  # the TIN is masked
    assert "Staff-only Clinic" not in page
    assert "Somebody Else" not in page


def test_unregistered_organization_offers_size_and_register_under_both_programs(
    sign_in, security_official, practice, window_open_2021
):
    response = sign_in(security_official).get(list_url())
    page = response.content.decode()

    assert f'name="org-{practice.pk}-size"' in page
    assert "Organization Size" in page
    assert 'Register<span class="usa-sr-only"> Chesapeake Family Medicine for the CMS Web Interface' in page
    assert (
        'Register<span class="usa-sr-only"> Chesapeake Family Medicine for the CAHPS for MIPS Survey' in page
    )
    # The Web Interface button says which sizes it accepts, so the script can hide it for 2–24.
    assert 'data-allowed-sizes="25-99 100+"' in page
    assert "only available to organizations with 25 or more clinicians" in page


def test_registered_organization_shows_green_check_registration_id_and_cancel(
    sign_in, security_official, practice, window_open_2021
):
    registration = RegistrationFactory(
        organization=practice,
        performance_year=window_open_2021,
        size=Size.MEDIUM,
        web_interface_status=ProgramStatus.REGISTERED,
        web_interface_source=Source.SECURITY_OFFICIAL,
    )
    ContactFactory(registration=registration)

    page = sign_in(security_official).get(list_url()).content.decode()

    assert registration.registration_id in page
    assert CANCEL_WEB_INTERFACE in page
    assert "Registered" in page
    # The size is no longer chosen inline: Edit next to Size [2020 §V].
    assert f'name="org-{practice.pk}-size"' not in page
    assert reverse("registration_size", kwargs={"year": 2021, "organization_id": practice.pk}) in page


def test_automatic_web_interface_registration_shows_as_registered_and_can_be_cancelled(
    sign_in, security_official, practice, window_open_2021
):
    RegistrationFactory(
        organization=practice,
        performance_year=window_open_2021,
        size=Size.LARGE,
        web_interface_status=ProgramStatus.REGISTERED,
        web_interface_source=Source.AUTOMATIC,
    )

    page = sign_in(security_official).get(list_url()).content.decode()

    assert "Registered automatically" in page
    assert CANCEL_WEB_INTERFACE in page


def test_shared_savings_aco_shows_automatically_registered_instead_of_register(
    sign_in, security_official, window_open_2021
):
    aco = SspAcoFactory(name="Tidewater Accountable Care")
    RoleFactory(user=security_official, organization=aco)

    page = sign_in(security_official).get(list_url()).content.decode()

    assert "Automatically registered as a Shared Savings Program ACO." in page
    assert 'Register<span class="usa-sr-only"> Tidewater Accountable Care' not in page


def test_2_24_organization_registered_for_cahps_shows_why_the_web_interface_is_not_offered(
    sign_in, security_official, practice, window_open_2021
):
    RegistrationFactory(
        organization=practice,
        performance_year=window_open_2021,
        size=Size.SMALL,
        cahps_status=ProgramStatus.REGISTERED,
        cahps_source=Source.SECURITY_OFFICIAL,
    )

    page = sign_in(security_official).get(list_url()).content.decode()

    assert "The CMS Web Interface is only available to organizations with 25 or more clinicians." in page
    assert (
        'Register<span class="usa-sr-only"> Chesapeake Family Medicine for the CMS Web Interface' not in page
    )


def test_outside_the_window_the_page_is_read_only_and_says_it_closed(
    sign_in, security_official, practice, window_closed_2021
):
    RegistrationFactory(
        organization=practice,
        performance_year=window_closed_2021,
        size=Size.MEDIUM,
        cahps_status=ProgramStatus.REGISTERED,
        cahps_source=Source.SECURITY_OFFICIAL,
    )

    page = sign_in(security_official).get(list_url()).content.decode()

    assert (
        "Registration for performance year 2021 closed on Wednesday, June 30, 2021 at 8:00 p.m. ET." in page
    )
    assert "Register<span" not in page
    assert "Cancel Registration<span" not in page
    assert reverse("registration_start", kwargs={"year": 2021, "organization_id": practice.pk}) not in page
    assert reverse("registration_size", kwargs={"year": 2021, "organization_id": practice.pk}) not in page


def test_before_the_window_the_page_says_when_it_opens(
    sign_in, security_official, practice, time_machine, year_2021
):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    time_machine.move_to(datetime(2021, 3, 15, 9, 0, tzinfo=ZoneInfo("America/New_York")), tick=False)

    page = sign_in(security_official).get(list_url()).content.decode()

    assert "Registration for performance year 2021 opens on Thursday, April 1, 2021 at 10:00 a.m. ET." in page
    assert "Register<span" not in page


def test_year_switcher_lists_open_years_first(
    sign_in, security_official, practice, window_open_2021, year_2020
):
    page = sign_in(security_official).get(list_url()).content.decode()

    assert page.index("2021 (open)") < page.index("2020 (closed)")


def test_a_cahps_only_year_goes_to_the_cahps_pages(sign_in, security_official, practice, year_2023):
    response = sign_in(security_official).get(list_url(2023))

    assert response.status_code == 302
    assert response.url == reverse("cahps_registration_list", kwargs={"year": 2023})


@pytest.mark.parametrize("count", [3, 40])
def test_query_count_does_not_grow_with_the_number_of_organizations(
    sign_in, security_official, window_open_2021, django_assert_max_num_queries, count
):
    for number in range(count):
        organization = OrganizationFactory()
        RoleFactory(user=security_official, organization=organization)
        if number % 2:
            registration = RegistrationFactory(
                organization=organization,
                performance_year=window_open_2021,
                cahps_status=ProgramStatus.REGISTERED,
                cahps_source=Source.SECURITY_OFFICIAL,
            )
            ContactFactory(registration=registration)
    client = sign_in(security_official)

    # Session, user and two-factor state, the page and its count, the rows, the years, and the
    # two Register as last year queries (the offer and which cards carry it).
    with django_assert_max_num_queries(15):
        response = client.get(list_url())

    assert response.status_code == 200
    shown = count + 1  # and the persona's own practice
    assert response.content.decode().count("Show Details<span") == min(shown, 25)


def _card(page, organization):
    """The HTML of ``organization``'s card on the main registration page."""
    start = page.index(f'<section class="usa-card margin-bottom-3" id="org-{organization.pk}"')
    return page[start : page.index("</section>", start)]


@pytest.mark.parametrize("factory", [SubgroupFactory, SspAcoFactory], ids=["subgroup", "shared savings aco"])
def test_an_organization_that_cannot_register_this_year_gets_no_size_control_and_no_form(
    sign_in, security_official, practice, window_open_2021, factory
):
    organization = factory(name="Cannot Register Here")
    RoleFactory(user=security_official, organization=organization)

    page = sign_in(security_official).get(list_url()).content.decode()
    card = _card(page, organization)

    assert "Register<span" not in card
    assert f'name="org-{organization.pk}-size"' not in card
    assert "<form" not in card
    assert "Organization Size" not in card
    # Each program still says why it cannot be registered.
    assert card.count('<h3 class="margin-top-0') == 2
    # The practice next to it still chooses its size next to Register.
    assert f'name="org-{practice.pk}-size"' in _card(page, practice)
    assert "<form" in _card(page, practice)


def test_on_this_page_links_to_each_organizations_card_by_its_heading(
    sign_in, security_official, practice, window_open_2021
):
    other = OrganizationFactory(name="Harbor Point Pediatrics")
    RoleFactory(user=security_official, organization=other)

    page = sign_in(security_official).get(list_url()).content.decode()

    jump_list = page[
        page.index('<nav class="qpp-on-this-page') : page.index("</nav>", page.index("qpp-on-this-page"))
    ]
    assert 'aria-labelledby="on-this-page-heading"' in jump_list
    assert 'id="on-this-page-heading">On this page</h2>' in jump_list
    for organization in (practice, other):
        assert f'<a class="usa-link" href="#org-{organization.pk}">{organization.name}</a>' in jump_list
        assert f'<section class="usa-card margin-bottom-3" id="org-{organization.pk}"' in page
        assert (
            f'<h2 class="usa-card__heading" id="org-{organization.pk}-name">{organization.name}</h2>' in page
        )


def test_one_organization_needs_no_list_of_links(sign_in, security_official, practice, window_open_2021):
    page = sign_in(security_official).get(list_url()).content.decode()

    assert "On this page" not in page
