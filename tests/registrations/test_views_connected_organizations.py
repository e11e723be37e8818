"""Manage Access → Connected Organizations [2020 §III.4–6]."""

import pytest
from django.urls import reverse

from organizations.models import Role
from registrations.models import ProgramStatus, Size, Source
from tests.factories import OrganizationFactory, RegistrationFactory, RoleFactory

pytestmark = pytest.mark.django_db


def connected(client, year=None):
    return client.get(reverse("connected_organizations"), {"year": year} if year else {})


def registered_for_web_interface(organization, year):
    return RegistrationFactory(
        organization=organization,
        performance_year=year,
        size=Size.MEDIUM,
        web_interface_status=ProgramStatus.REGISTERED,
        web_interface_source=Source.SECURITY_OFFICIAL,
    )


def test_lists_every_organization_with_a_role_and_its_status_per_program(
    sign_in, security_official, practice, window_open_2021
):
    clinic = OrganizationFactory(name="Harbor Point Pediatrics")
    RoleFactory(user=security_official, organization=clinic, kind=Role.Kind.STAFF_USER)
    OrganizationFactory(name="Not Mine Clinic")
    registered_for_web_interface(practice, window_open_2021)

    page = connected(sign_in(security_official), 2021).content.decode()

    assert "Chesapeake Family Medicine" in page
    assert "Harbor Point Pediatrics" in page
    assert "Not Mine Clinic" not in page
    assert "CMS Web Interface" in page and "CAHPS for MIPS Survey" in page
    assert "Registered" in page and "Not registered" in page


def test_edit_registration_only_where_the_user_is_security_official(
    sign_in, security_official, practice, window_open_2021
):
    clinic = OrganizationFactory(name="Harbor Point Pediatrics")
    RoleFactory(user=security_official, organization=clinic, kind=Role.Kind.STAFF_USER)

    page = connected(sign_in(security_official), 2021).content.decode()

    list_url = reverse("registration_list", kwargs={"year": 2021})
    assert f"{list_url}#org-{practice.pk}" in page
    assert f"{list_url}#org-{clinic.pk}" not in page
    assert page.count("Edit Registration<span") == 1
    assert "Don’t see Edit Registration?" in page


def test_without_a_year_the_open_year_is_shown_and_the_switcher_offers_the_others(
    sign_in, security_official, practice, window_open_2021, year_2020
):
    page = connected(sign_in(security_official)).content.decode()

    assert "Registration status for performance year 2021" in page
    assert '<option value="2021" selected>' in page
    assert '<option value="2020">' in page


def test_another_year_can_be_chosen(sign_in, security_official, practice, window_open_2021, year_2020):
    RegistrationFactory(
        organization=practice,
        performance_year=year_2020,
        cahps_status=ProgramStatus.REGISTERED,
        cahps_source=Source.SECURITY_OFFICIAL,
    )

    page = connected(sign_in(security_official), 2020).content.decode()

    assert "Registration status for performance year 2020" in page
    assert "Registration for performance year 2020 closed on Tuesday, June 30, 2020 at 8:00 p.m. ET." in page


def test_unknown_year_is_not_found(sign_in, security_official, window_open_2021):
    assert connected(sign_in(security_official), 1999).status_code == 404


@pytest.mark.parametrize("count", [3, 40])
def test_query_count_does_not_grow_with_the_number_of_organizations(
    sign_in, security_official, window_open_2021, django_assert_max_num_queries, count
):
    for _ in range(count):
        organization = OrganizationFactory()
        RoleFactory(user=security_official, organization=organization)
        RegistrationFactory(organization=organization, performance_year=window_open_2021)
    client = sign_in(security_official)

    with django_assert_max_num_queries(14):
        response = connected(client, 2021)

    assert response.status_code == 200


@pytest.fixture
def two_open_years(db):
    """The demo's two open years: 2025 configured like 2021, 2026 like 2023, the same window."""
    from django.utils import timezone

    from registrations.guide_years import LIKE_2021, LIKE_2023, open_window_around
    from tests.factories import PerformanceYearFactory

    window = open_window_around(timezone.now())
    return PerformanceYearFactory(year=2025, **LIKE_2021, **window), PerformanceYearFactory(
        year=2026, **LIKE_2023, **window
    )


def test_with_two_open_years_each_has_its_own_section_and_edit_registration(
    sign_in, security_official, practice, two_open_years
):
    page = connected(sign_in(security_official)).content.decode()

    assert "Registration is open for 2 performance years" in page
    first, second = page.index('id="year-2025-heading"'), page.index('id="year-2026-heading"')
    assert first < second  # closing together: the older year, which the 2020/2021 guide describes, first
    assert reverse("registration_list", kwargs={"year": 2025}) + f"#org-{practice.pk}" in page
    assert reverse("cahps_registration_list", kwargs={"year": 2026}) in page
    assert page.count("Edit Registration<span") == 2


def test_a_chosen_year_shows_that_year_only_and_says_the_other_is_open(
    sign_in, security_official, practice, two_open_years
):
    page = connected(sign_in(security_official), 2026).content.decode()

    assert 'id="year-2025-heading"' not in page
    assert "Registration for performance year 2025 is open too." in page


def test_registration_opens_the_open_year_that_closes_first(
    sign_in, security_official, practice, two_open_years
):
    from datetime import timedelta

    year_2025, year_2026 = two_open_years
    client = sign_in(security_official)

    assert client.get(reverse("registration_home")).url == reverse("registration_list", kwargs={"year": 2025})

    year_2026.window_closes = year_2025.window_closes - timedelta(days=1)
    year_2026.save()
    page = client.get(reverse("registration_home")).content.decode()
    assert "CAHPS for MIPS Survey registration for <strong>performance year 2026</strong>" in page
