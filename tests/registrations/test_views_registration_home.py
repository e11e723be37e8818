"""The left-nav *Registration* entry and the performance-year choice behind it."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from registrations import selectors
from tests.factories import PerformanceYearFactory

pytestmark = pytest.mark.django_db

EASTERN = ZoneInfo("America/New_York")


def test_sends_a_security_official_to_the_open_years_registration_page(
    sign_in, security_official, window_open_2021, year_2020
):
    response = sign_in(security_official).get(reverse("registration_home"))

    assert response.status_code == 302
    assert response.url == reverse("registration_list", kwargs={"year": 2021})


def test_the_switcher_can_choose_a_closed_year(sign_in, security_official, window_open_2021, year_2020):
    response = sign_in(security_official).get(reverse("registration_home"), {"year": 2020})

    assert response.url == reverse("registration_list", kwargs={"year": 2020})


def test_a_cahps_only_year_shows_the_registration_screen_with_its_button(
    sign_in, security_official, window_open_2021, year_2023
):
    # [2023 §III.6]: "From the Registration screen, select Register and Edit CAHPS Registration."
    response = sign_in(security_official).get(reverse("registration_home"), {"year": 2023})

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Registration</h1>" in page
    cahps_list = reverse("cahps_registration_list", kwargs={"year": 2023})
    assert f'href="{cahps_list}">Register and Edit CAHPS Registration' in page


def test_the_cahps_left_navigation_item_opens_the_open_cahps_year(
    sign_in, security_official, window_open_2023
):
    client = sign_in(security_official)

    page = client.get(reverse("home")).content.decode()
    assert ">CAHPS for MIPS Survey Registration</a>" in page
    response = client.get(reverse("cahps_registration_home"))
    assert response.url == reverse("cahps_registration_list", kwargs={"year": 2023})


def test_the_registration_breadcrumb_of_the_cahps_list_leads_to_the_registration_screen(
    sign_in, security_official, practice, window_open_2023
):
    client = sign_in(security_official)
    page = client.get(reverse("cahps_registration_list", kwargs={"year": 2023})).content.decode()
    crumb = f"{reverse('registration_home')}?year=2023"
    assert crumb in page

    assert "Register and Edit CAHPS Registration" in client.get(crumb).content.decode()


def test_unknown_year_is_not_found(sign_in, security_official, window_open_2021):
    assert sign_in(security_official).get(reverse("registration_home"), {"year": "1999"}).status_code == 404


def test_a_year_that_is_not_a_number_is_a_bad_request(sign_in, security_official, window_open_2021):
    assert sign_in(security_official).get(reverse("registration_home"), {"year": "20x1"}).status_code == 400


def test_a_user_without_the_security_official_role_is_told_why(sign_in, staff_user, window_open_2021):
    response = sign_in(staff_user).get(reverse("registration_home"))

    assert response.status_code == 403
    assert "This role is necessary to submit, modify, or cancel a registration." in response.content.decode()


def test_selectable_years_put_open_years_first_then_the_next_to_open_then_closed(db):
    PerformanceYearFactory(year=2020)
    PerformanceYearFactory(year=2021)
    PerformanceYearFactory(year=2023)
    may_2021 = datetime(2021, 5, 4, 12, tzinfo=EASTERN)

    assert [year.year for year in selectors.selectable_years(may_2021)] == [2021, 2023, 2020]
    assert selectors.default_year(may_2021).year == 2021


def test_default_year_between_windows_is_the_next_to_open(db):
    PerformanceYearFactory(year=2020)
    PerformanceYearFactory(year=2021)
    PerformanceYearFactory(year=2023)

    assert selectors.default_year(datetime(2021, 9, 1, tzinfo=EASTERN)).year == 2023
    assert selectors.default_year(datetime(2024, 1, 1, tzinfo=EASTERN)).year == 2023


def test_default_year_is_none_without_years(db):
    assert selectors.default_year(datetime(2021, 5, 4, tzinfo=EASTERN)) is None
