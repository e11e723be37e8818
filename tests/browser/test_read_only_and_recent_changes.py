"""A Staff User reads their organization's registration pages with no action on them, and the
organization's people read its Recent changes (issue 27 #6, #7): at 1280 and 390 px, with axe,
as a Staff User and as the Security Official."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from registrations.detail_services import contact_update
from registrations.guide_years import LIKE_2021, open_window_around
from registrations.models import ProgramStatus, Size, Source
from registrations.services import registration_change_size
from tests.browser.helpers import assert_accessible, assert_no_horizontal_overflow, screenshot
from tests.browser.test_cahps_2023_flow import pdf_words
from tests.factories import ContactFactory, PerformanceYearFactory, RegistrationFactory, registered

WIDTHS = (1280, 390)


@pytest.fixture
def story(practice, security_official, staff_user, staff_reviewer, cahps_year_open_now):
    """2025 (like 2021, open now) registered for the Web Interface, its size changed by the
    official and a contact by the help desk; 2026 (CAHPS only) Complete."""
    year = PerformanceYearFactory(year=2025, **LIKE_2021, **open_window_around(timezone.now()))
    registration = registered(practice, year, size=Size.MEDIUM, web_interface=True, cahps=False, contacts=2)
    registration_change_size(registration=registration, size=Size.LARGE, by=security_official)
    contact = registration.contacts.first()
    contact_update(
        registration=registration,
        contact=contact,
        by=staff_reviewer,
        first_name=contact.first_name,
        last_name="Okafor",
        email=contact.email,
        phone=contact.phone,
    )
    cahps = RegistrationFactory(
        organization=practice,
        performance_year=cahps_year_open_now,
        size=Size.SMALL,
        cahps_status=ProgramStatus.REGISTERED,
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    ContactFactory(registration=cahps, first_name="Carla", last_name="Reyes")
    return registration, cahps


def _check(page, name, width):
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    assert_no_horizontal_overflow(page)
    screenshot(page, f"{name}-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_staff_user_reads_details_cahps_and_recent_changes_with_no_action(
    signed_in_page, staff_user, story, width
):
    registration, _cahps = story
    page = signed_in_page(staff_user)
    page.set_viewport_size({"width": width, "height": 900})
    name = registration.organization.name

    page.goto("/organizations/connected/?year=2025")
    nav = page.locator(".qpp-sidenav") if width == 1280 else page.locator("nav.qpp-menu")
    expect(nav.get_by_role("link", name="Registration", exact=True)).to_have_count(0)
    page.get_by_role("link", name=f"View Registration of {name} for 2025").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    main = page.get_by_role("main")
    expect(main).to_contain_text("You have the Staff User role")
    expect(main).to_contain_text("Okafor")
    expect(main.locator("form, button, input, select")).to_have_count(0)
    expect(main.get_by_role("link", name="Edit")).to_have_count(0)
    _check(page, "read-only-details-staff", width)
    with page.expect_download() as download:
        main.get_by_role("link", name=f"Download Registration Summary of {name} (PDF)").click()
    assert registration.registration_id in pdf_words(download.value.path())

    main.get_by_role("link", name=f"Recent changes to {name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recent changes")
    changes = page.get_by_role("table")
    expect(changes).to_contain_text("QPP Service Center")
    expect(changes).to_contain_text("Organization size: 25–99 → 100 or more")
    expect(changes).not_to_contain_text("cms-reviewer")
    _check(page, "recent-changes-staff", width)

    page.goto(f"/cahps/2026/{registration.organization_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("CAHPS Registration")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Carla Reyes")
    expect(main.locator("form, button, input, select")).to_have_count(0)
    expect(main.get_by_role("link", name="Download Group CAHPS Registration Summary")).to_be_visible()
    _check(page, "read-only-cahps-staff", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_security_official_reads_the_same_pages_with_their_actions_and_recent_changes(
    signed_in_page, security_official, story, width
):
    registration, _cahps = story
    page = signed_in_page(security_official)
    page.set_viewport_size({"width": width, "height": 900})
    name = registration.organization.name

    page.goto(f"/registration/2025/{registration.organization_id}/")
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name="Add New Contact")).to_be_visible()
    _check(page, "details-official", width)

    main.get_by_role("link", name=f"Recent changes to {name}").click()
    expect(page.get_by_role("table")).to_contain_text("Sam Official (so-user)")
    _check(page, "recent-changes-official", width)

    page.goto(f"/cahps/2026/{registration.organization_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Register for CAHPS")
    expect(page.get_by_role("main").get_by_role("link", name=f"Recent changes to {name}")).to_be_visible()
    _check(page, "cahps-official", width)
