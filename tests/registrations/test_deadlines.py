""" "N days left" and the organizations still to register, on Home, the Registration Overview
and the CAHPS list (issue 27 #8)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from organizations.models import Organization, Role
from registrations.deadlines import countdown
from registrations.models import ProgramStatus, Size, Source
from tests.factories import (
    OrganizationFactory,
    RegistrationFactory,
    RoleFactory,
    SspAcoFactory,
    VirtualGroupFactory,
    registered,
)

pytestmark = pytest.mark.django_db

ET = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("moment", "words"),
    [
        # The 2021 window closes on Wednesday 30 June 2021 at 8 p.m. ET [2021 #2].
        (datetime(2021, 5, 4, 12, 0, tzinfo=ET), "57 days left"),
        (datetime(2021, 6, 28, 23, 59, tzinfo=ET), "2 days left"),
        # The evening before: a day is an ET calendar day, whatever the hour.
        (datetime(2021, 6, 29, 21, 0, tzinfo=ET), "1 day left"),
        # The last day (ET) counts hours, rounded up.
        (datetime(2021, 6, 30, 0, 30, tzinfo=ET), "20 hours left"),
        (datetime(2021, 6, 30, 14, 0, tzinfo=ET), "6 hours left"),
        (datetime(2021, 6, 30, 19, 30, tzinfo=ET), "1 hour left"),
        # 2 a.m. UTC on 30 June is still 29 June in ET: a day left, not hours.
        (datetime(2021, 6, 30, 2, 0, tzinfo=ZoneInfo("UTC")), "1 day left"),
        (datetime(2021, 6, 30, 20, 0, tzinfo=ET), "Registration is closed"),
        (datetime(2021, 3, 1, 9, 0, tzinfo=ET), "Registration is not open yet"),
    ],
)
def test_the_countdown_reads_days_then_hours_on_the_last_day_in_eastern_time(year_2021, moment, words):
    assert countdown(year_2021, moment) == words


def _move(time_machine, *args):
    time_machine.move_to(datetime(*args, tzinfo=ET), tick=False)


def test_the_overview_says_how_many_days_are_left_and_links_to_the_organizations_not_registered(
    sign_in, security_official, practice, window_open_2021
):
    registered(OrganizationFactory(name="Done Clinic"), window_open_2021, size=Size.MEDIUM)
    Role.objects.create(
        user=security_official,
        organization=Organization.objects.get(name="Done Clinic"),
        kind=Role.Kind.SECURITY_OFFICIAL,
    )
    RoleFactory(user=security_official, organization=OrganizationFactory(), kind=Role.Kind.SECURITY_OFFICIAL)
    # Another official's organization, not registered: counted for them, not for this user.
    RoleFactory(organization=OrganizationFactory(), kind=Role.Kind.SECURITY_OFFICIAL)

    page = (
        sign_in(security_official).get(reverse("registration_list", kwargs={"year": 2021})).content.decode()
    )

    assert "Performance year 2021: 57 days left" in page
    assert "Of your 3 organizations (Security Official role), still to register:" in page
    assert 'href="/registration/2021/?status=not_registered">2 organizations not registered</a>' in page
    assert "Download my organizations (CSV)" in page


def test_on_the_last_day_the_overview_counts_hours_and_says_when_everything_is_registered(
    sign_in, security_official, practice, window_open_2021, time_machine
):
    registered(practice, window_open_2021, size=Size.MEDIUM, web_interface=False)
    _move(time_machine, 2021, 6, 30, 15, 0)

    page = (
        sign_in(security_official).get(reverse("registration_list", kwargs={"year": 2021})).content.decode()
    )

    assert "Performance year 2021: 5 hours left" in page
    assert "Your organization is registered." in page
    assert "not registered</a>" not in page


def test_a_closed_window_shows_no_countdown_and_counts_nothing(
    sign_in, security_official, practice, window_closed_2021
):
    page = (
        sign_in(security_official).get(reverse("registration_list", kwargs={"year": 2021})).content.decode()
    )

    assert "days left" not in page
    assert "still to register" not in page
    # The spreadsheet stays: the year's registrations can still be read.
    assert "Download my organizations (CSV)" in page


def test_the_cahps_list_links_each_tab_filtered_to_its_not_started_and_incomplete_organizations(
    sign_in, security_official, practice, window_open_2023
):
    RegistrationFactory(
        organization=practice,
        performance_year=window_open_2023,
        cahps_status=ProgramStatus.INCOMPLETE,
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    for _ in range(2):
        RoleFactory(
            user=security_official, organization=VirtualGroupFactory(), kind=Role.Kind.SECURITY_OFFICIAL
        )
    done = OrganizationFactory()
    RoleFactory(user=security_official, organization=done, kind=Role.Kind.SECURITY_OFFICIAL)
    registered(done, window_open_2023, size=Size.MEDIUM, web_interface=False)

    page = (
        sign_in(security_official)
        .get(reverse("cahps_registration_list", kwargs={"year": 2023}))
        .content.decode()
    )

    assert "Performance year 2023: 46 days left" in page
    assert "Of your 4 organizations" in page
    assert (
        'href="/cahps/2023/?tab=virtual-groups&amp;status=not-started">2 virtual groups not started</a>'
        in page
    )
    assert 'href="/cahps/2023/?tab=practices&amp;status=incomplete">1 practice incomplete</a>' in page


def test_the_filtered_cahps_link_lists_exactly_the_organizations_counted(
    sign_in, security_official, practice, window_open_2023
):
    RoleFactory(
        user=security_official,
        organization=OrganizationFactory(name="Zeta Practice"),
        kind=Role.Kind.SECURITY_OFFICIAL,
    )
    registered(practice, window_open_2023, size=Size.MEDIUM, web_interface=False)
    client = sign_in(security_official)

    page = client.get(reverse("cahps_registration_list", kwargs={"year": 2023})).content.decode()
    assert "1 practice not started</a>" in page
    filtered = client.get("/cahps/2023/?tab=practices&status=not-started").content.decode()

    assert "Zeta Practice" in filtered
    assert "Chesapeake Family Medicine" not in filtered


def test_home_shows_each_open_window_with_the_count_and_no_count_for_a_staff_user(
    sign_in, security_official, staff_user, practice, window_open_2021
):
    page = sign_in(security_official).get(reverse("home")).content.decode()

    assert "Performance year 2021: 57 days left" in page
    assert "Registration closes on Wednesday, June 30, 2021 at 8:00 p.m. ET." in page
    assert "1 organization not registered</a>" in page

    staff_page = sign_in(staff_user).get(reverse("home")).content.decode()
    assert "Performance year 2021: 57 days left" in staff_page
    assert "still to register" not in staff_page
    assert "Download my organizations (CSV)" in staff_page


def test_home_counts_in_one_query_however_many_organizations(
    sign_in, security_official, practice, window_open_2021
):
    from tests.test_list_queries import _official_of, _queries

    client = sign_in(security_official)
    few = _queries(client, reverse("home"))
    _official_of(security_official, 60)
    many = _queries(client, reverse("home"))

    assert few == many
    assert "61 organizations not registered" in client.get(reverse("home")).content.decode()


def test_the_overview_count_is_exactly_what_its_not_registered_filter_lists(
    sign_in, security_official, practice, window_open_2021
):
    # Registered automatically [2021 #5, #6] and registered then cancelled [2020 §VII]: neither is
    # "Not registered" on the Overview's filter, so neither is counted.
    aco = SspAcoFactory(name="Bayside ACO")
    cancelled = OrganizationFactory(name="Cancelled Clinic")
    for organization in (aco, cancelled):
        RoleFactory(user=security_official, organization=organization, kind=Role.Kind.SECURITY_OFFICIAL)
    registration = registered(cancelled, window_open_2021, size=Size.MEDIUM, cahps=False)
    registration.web_interface_status = ProgramStatus.NOT_REGISTERED
    registration.web_interface_source = Source.NONE
    registration.save()
    client = sign_in(security_official)

    page = client.get(reverse("registration_list", kwargs={"year": 2021})).content.decode()
    listed = client.get("/registration/2021/?status=not_registered").content.decode()

    assert 'href="/registration/2021/?status=not_registered">1 organization not registered</a>' in page
    assert "Chesapeake Family Medicine</h2>" in listed
    assert "Bayside ACO</h2>" not in listed and "Cancelled Clinic</h2>" not in listed
