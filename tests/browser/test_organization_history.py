"""The help desk's organization history page in Chromium: reached from the organization's
admin page, readable and accessible on a desktop and a phone."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from organizations.models import Role
from organizations.services import role_request_approve, role_request_create
from registrations.guide_years import LIKE_2021, open_window_around
from registrations.models import Program, Size
from registrations.services import registration_change_size, registration_submit
from tests.browser.helpers import assert_accessible, screenshot
from tests.factories import ContactFactory, PerformanceYearFactory, RegistrationFactory, UserFactory


@pytest.fixture
def story(practice, security_official):
    year = PerformanceYearFactory(year=2025, **LIKE_2021, **open_window_around(timezone.now()))
    RegistrationFactory(
        organization=practice, performance_year=PerformanceYearFactory(year=2021), size=Size.LARGE
    )
    registration = RegistrationFactory(organization=practice, performance_year=year, size=Size.MEDIUM)
    ContactFactory(registration=registration, first_name="Ada", last_name="Lovelace")
    registration_submit(
        organization=practice,
        year=year,
        program=Program.WEB_INTERFACE,
        size=Size.MEDIUM,
        by=security_official,
    )
    registration_change_size(registration=registration, size=Size.LARGE, by=security_official)
    colleague = UserFactory(username="new-colleague", first_name="Nia", last_name="Newton")
    role_request_approve(
        role_request=role_request_create(user=colleague, organization=practice, role=Role.Kind.STAFF_USER),
        by=security_official,
    )
    return registration


def test_help_desk_reads_an_organizations_whole_history(signed_in_page, help_desk_agent, story):
    page = signed_in_page(help_desk_agent)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/admin/organizations/organization/{story.organization_id}/change/")

    page.get_by_role("link", name="Organization history").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"History of {story.organization.name}")
    registrations = page.get_by_role("region", name="Registrations in every performance year")
    expect(registrations.get_by_role("link", name=story.registration_id)).to_be_visible()
    expect(registrations).to_contain_text("2021")
    requests = page.get_by_role("region", name="Role requests", exact=True)
    expect(requests).to_contain_text("Nia Newton")
    expect(requests).to_contain_text("Approved")
    changes = page.get_by_role("region", name="Every change")
    expect(changes).to_contain_text("Organization size: 25–99 → 100 or more")
    expect(changes).to_contain_text(f"Registration {story.registration_id} (2025)")
    expect(changes).to_contain_text("Staff User role of Nia Newton (new-colleague)")
    assert_accessible(page)
    screenshot(page, "admin-organization-history-1280")

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.querySelector('#content-main').scrollWidth") <= 390
    assert_accessible(page)
    screenshot(page, "admin-organization-history-390")

    page.get_by_role("link", name=story.registration_id).click()
    expect(page.get_by_role("link", name="Organization history")).to_be_visible()
