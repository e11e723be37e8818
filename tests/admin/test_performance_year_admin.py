"""Performance years in admin: window dates entered and shown in Eastern Time, validated."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from registrations.models import PerformanceYear

pytestmark = pytest.mark.django_db

YEARS = "/admin/registrations/performanceyear/"
UTC = ZoneInfo("UTC")


def year_data(**overrides):
    return {
        "year": "2027",
        "window_opens_0": "2027-04-01",
        "window_opens_1": "10:00:00",
        "window_closes_0": "2027-06-30",
        "window_closes_1": "20:00:00",
        "offers_cahps": "on",
        "offers_summary_download": "on",
        "subgroups_registered_by_service_center": "on",
        "ssp_acos_automatically_registered": "on",
        **overrides,
    }


@pytest.fixture
def admin_client(staff_client, registration_admin):
    return staff_client(registration_admin)


def test_window_is_entered_in_eastern_time(admin_client):
    response = admin_client.post(f"{YEARS}add/", year_data())

    assert response.status_code == 302
    year = PerformanceYear.objects.get(year=2027)
    # 10 a.m. EDT is 14:00 UTC; 8 p.m. EDT is midnight UTC.
    assert year.window_opens == datetime(2027, 4, 1, 14, 0, tzinfo=UTC)
    assert year.window_closes == datetime(2027, 7, 1, 0, 0, tzinfo=UTC)
    assert year.is_cahps_only


def test_window_is_shown_in_eastern_time_with_the_help_text_saying_so(admin_client, year_2021):
    listing = admin_client.get(YEARS).content.decode()
    form = admin_client.get(f"{YEARS}{year_2021.pk}/change/").content.decode()

    assert "Thursday, April 1, 2021 at 10:00 a.m. ET" in listing
    assert 'value="10:00:00"' in form
    assert "Eastern Time (ET)." in form


def test_window_must_close_after_it_opens(admin_client):
    response = admin_client.post(f"{YEARS}add/", year_data(window_closes_0="2027-03-01"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["window_closes"] == [
        "The window must close after it opens (Thursday, April 1, 2027 at 10:00 a.m. ET)."
    ]
    assert 'value="2027-03-01"' in response.content.decode()  # what was typed stays
    assert not PerformanceYear.objects.filter(year=2027).exists()


def test_a_year_offers_at_least_one_program(admin_client):
    data = year_data()
    del data["offers_cahps"]

    response = admin_client.post(f"{YEARS}add/", data)

    assert (
        "A performance year offers at least one program"
        in response.context["adminform"].form.errors["offers_cahps"][0]
    )
    assert not PerformanceYear.objects.filter(year=2027).exists()


def test_help_desk_sees_years_but_cannot_change_them(staff_client, help_desk_agent, year_2021):
    client = staff_client(help_desk_agent)

    assert client.get(f"{YEARS}{year_2021.pk}/change/").status_code == 200
    assert client.post(f"{YEARS}{year_2021.pk}/change/", year_data(year="2021")).status_code == 403
    assert client.get(f"{YEARS}add/").status_code == 403
    year_2021.refresh_from_db()
    assert year_2021.offers_web_interface
