"""The deadline, visible, and the user's files, in Chromium at 1280 and 390 px (issue 27 #4, #8):
Home, the Registration Overview and the CAHPS list say how many days are left and how many
organizations are still to register, with a link that filters to them; the spreadsheet and the
.ics download; the calendar feed URL made on its page. axe (WCAG 2.2 A/AA and best practices)
on each screen."""

import csv
import io
import re
from datetime import timedelta

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from registrations.guide_years import LIKE_2021, LIKE_2023, open_window_around
from registrations.models import Size
from tests.browser.helpers import assert_accessible, assert_no_horizontal_overflow, screenshot
from tests.factories import (
    OrganizationFactory,
    PerformanceYearFactory,
    RoleFactory,
    UserFactory,
    VirtualGroupFactory,
    registered,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def official(db):
    """An official of four organizations, one registered, in two open years: a 2020/2021-like
    year closing in about 12 days and a CAHPS-only one closing later."""
    now = timezone.now()
    web_interface = PerformanceYearFactory(
        year=2025, **LIKE_2021, window_opens=now - timedelta(days=30), window_closes=now + timedelta(days=12)
    )
    PerformanceYearFactory(year=2026, **LIKE_2023, **open_window_around(now))
    user = UserFactory(username="deadline-so", first_name="Dana", last_name="Sullivan")
    organizations = [
        OrganizationFactory(name="Allegheny Health Partners"),
        OrganizationFactory(name="Bayview Pediatrics"),
        VirtualGroupFactory(name="Harbor Virtual Group"),
        OrganizationFactory(name="Chesapeake Family Medicine"),
    ]
    for organization in organizations:
        RoleFactory(user=user, organization=organization)
    registered(organizations[0], web_interface, size=Size.MEDIUM, first_name="Pat", last_name="Lee")
    return user


def _check(page, name, width):
    assert_accessible(page)
    assert_no_horizontal_overflow(page)
    screenshot(page, f"deadline-{name}-{width}")


@pytest.mark.parametrize("width", [1280, 390])
def test_home_and_both_lists_show_the_days_left_and_link_to_what_remains(signed_in_page, official, width):
    page = signed_in_page(official)
    page.set_viewport_size({"width": width, "height": 900})

    page.goto("/")
    box = page.get_by_role("region", name="Performance year 2025: 12 days left")
    expect(box).to_contain_text("Of your 4 organizations (Security Official role), still to register:")
    expect(page.get_by_role("region", name="Performance year 2026: 60 days left")).to_be_visible()
    _check(page, "home", width)

    page.goto("/registration/2025/")
    box = page.get_by_role("region", name="Performance year 2025: 12 days left")
    expect(box).to_contain_text("Of your 4 organizations (Security Official role), still to register:")
    _check(page, "overview", width)
    # The Overview's own status filter lists exactly the organizations counted.
    box.get_by_role("link", name="3 organizations not registered").click()
    expect(page).to_have_url(re.compile(r"/registration/2025/\?status=not_registered$"))
    for name in ("Bayview Pediatrics", "Harbor Virtual Group", "Chesapeake Family Medicine"):
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Allegheny Health Partners", exact=True)).to_have_count(0)

    page.goto("/cahps/2026/")
    box = page.get_by_role("region", name="Performance year 2026: 60 days left")
    expect(box.get_by_role("link", name="3 practices not started")).to_be_visible()
    expect(box.get_by_role("link", name="1 virtual group not started")).to_be_visible()
    _check(page, "cahps-list", width)
    box.get_by_role("link", name="1 virtual group not started").click()
    expect(page.get_by_role("cell", name="Harbor Virtual Group")).to_be_visible()


def test_the_spreadsheet_and_the_calendar_download_and_the_feed_url_is_made(signed_in_page, official):
    page = signed_in_page(official)
    page.goto("/registration/2025/")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download my organizations (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert {row["Organization name"] for row in rows} == {
        "Allegheny Health Partners",
        "Bayview Pediatrics",
        "Harbor Virtual Group",
        "Chesapeake Family Medicine",
    }

    with page.expect_download() as download:
        page.get_by_role("link", name="Add the deadlines to your calendar (.ics)").click()
    calendar = icalendar.Calendar.from_ical(download.value.path().read_bytes())
    assert len(calendar.walk("VEVENT")) == 2

    # The first URL, then a new one (which revokes the first), at each width.
    for width, button in ((1280, "Make a Calendar Feed URL"), (390, "Make a New URL")):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/accounts/devices/")
        page.get_by_role("link", name="Make or revoke your calendar feed URL").click()
        page.get_by_role("button", name=button).click()
        field = page.get_by_role("textbox", name="Calendar feed URL")
        expect(field).to_be_visible()
        assert "/registration/calendar/feed.ics?key=" in field.input_value()
        _check(page, "calendar-feed", width)
