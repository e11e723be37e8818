"""The staff pages of Django admin in Chromium: the registration list, a registration with
its change history, and the role-request queue pass axe-core (WCAG 2.2 A/AA and its best
practices, as every page does) and the Content Security Policy, and are saved as screenshots to
look at. In particular: each list's search box has a visible label, every table header says what
its column holds, and each filter link is a target of at least 24 by 24 CSS pixels (WCAG 2.2,
2.5.8)."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from organizations.models import Role
from registrations.detail_services import contact_update
from registrations.guide_years import LIKE_2021, open_window_around
from registrations.models import ProgramStatus, Size, Source
from registrations.services import registration_change_size
from tests.browser.helpers import WCAG_22_AND_BEST_PRACTICE_TAGS, assert_accessible, screenshot
from tests.factories import (
    ContactFactory,
    OrganizationFactory,
    PerformanceYearFactory,
    RegistrationFactory,
    RoleFactory,
    RoleRequestFactory,
    UserFactory,
)

DESKTOP = {"width": 1400, "height": 900}


@pytest.fixture
def registration_with_history(registration_admin, practice):
    year = PerformanceYearFactory(year=2025, **LIKE_2021, **open_window_around(timezone.now()))
    registration = RegistrationFactory(
        organization=practice,
        performance_year=year,
        size=Size.MEDIUM,
        web_interface_status=ProgramStatus.REGISTERED,
        web_interface_source=Source.SECURITY_OFFICIAL,
    )
    contact = ContactFactory(registration=registration, first_name="Ada", last_name="Lovelace")
    registration_change_size(registration=registration, size=Size.LARGE, by=registration_admin)
    contact_update(
        registration=registration,
        contact=contact,
        by=registration_admin,
        first_name="Ada",
        last_name="Lovelace",
        email="ada.lovelace@example.com",
        phone=contact.phone,
    )
    return registration


def test_registration_list(signed_in_page, registration_admin, registration_with_history):
    page = signed_in_page(registration_admin)
    page.set_viewport_size(DESKTOP)

    page.goto("/admin/registrations/registration/")

    expect(page.get_by_role("link", name=registration_with_history.registration_id)).to_be_visible()
    expect(page.get_by_text("TIN ***-**-6789")).to_be_visible()
    expect(page.get_by_role("link", name="Export 1 as CSV")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "admin-registration-list")


def test_registration_page_with_its_history(signed_in_page, registration_admin, registration_with_history):
    page = signed_in_page(registration_admin)
    page.set_viewport_size(DESKTOP)

    page.goto(f"/admin/registrations/registration/{registration_with_history.pk}/change/")

    history = page.get_by_role("region", name="Change history (registration, contacts and organization)")
    expect(history).to_contain_text("Organization size: 25–99 → 100 or more")
    expect(history).to_contain_text("E-mail:")
    expect(history).to_contain_text("Rita Registrar (reg-admin)")
    expect(page.get_by_text("TIN 123456789")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "admin-registration-with-history")


def test_role_request_queue(signed_in_page, registration_admin):
    orphan = OrganizationFactory(name="Shenandoah Rural Clinic")
    covered = OrganizationFactory(name="Harbor Point Pediatrics")
    RoleFactory(organization=covered, kind=Role.Kind.SECURITY_OFFICIAL)
    RoleRequestFactory(organization=orphan, user=UserFactory(first_name="Jordan", last_name="Lee"))
    RoleRequestFactory(organization=covered, user=UserFactory(first_name="Nora", last_name="Quinn"))
    page = signed_in_page(registration_admin)
    page.set_viewport_size(DESKTOP)

    page.goto("/admin/organizations/rolerequest/")

    expect(page.locator(".qpp-no-so")).to_have_text(["None yet"])
    expect(page.get_by_role("combobox", name="Action")).to_contain_text("Approve the selected requests")
    assert_accessible(page)
    screenshot(page, "admin-role-request-queue")


MIN_TARGET = 24

# Every link of the list's filter panel: [text, width, height].
FILTER_LINK_SIZES = """() => Array.from(document.querySelectorAll("#changelist-filter a")).map(link => {
    const box = link.getBoundingClientRect();
    return [link.textContent.trim(), box.width, box.height];
})"""


@pytest.fixture
def staff_page(signed_in_page, registration_admin, registration_with_history):
    """A Registration Admin's page, with a registration, a role and a role request to list."""
    RoleRequestFactory(organization=OrganizationFactory(name="Shenandoah Rural Clinic"), user=UserFactory())
    RoleFactory(organization=registration_with_history.organization, user=UserFactory())
    page = signed_in_page(registration_admin)
    page.set_viewport_size(DESKTOP)
    return page


@pytest.mark.parametrize(
    ("path", "search_label"),
    [
        ("/admin/registrations/registration/", "Search registrations"),
        ("/admin/organizations/rolerequest/", "Search role requests"),
        ("/admin/organizations/organization/", "Search organizations"),
    ],
)
def test_lists_have_a_labelled_search_box_and_filter_links_big_enough_to_tap(staff_page, path, search_label):
    staff_page.goto(path)

    expect(staff_page.locator("label[for=searchbar]")).to_have_text(search_label)
    expect(staff_page.get_by_role("textbox", name=search_label)).to_be_visible()
    sizes = staff_page.evaluate(FILTER_LINK_SIZES)
    assert sizes, "the list has no filter panel"
    small = [size for size in sizes if size[1] < MIN_TARGET or size[2] < MIN_TARGET]
    assert not small, f"filter links smaller than {MIN_TARGET}x{MIN_TARGET}: {small}"
    assert_accessible(staff_page, tags=WCAG_22_AND_BEST_PRACTICE_TAGS)


def test_registration_and_organization_pages_name_every_table_header(staff_page, registration_with_history):
    for path in [
        f"/admin/registrations/registration/{registration_with_history.pk}/change/",
        f"/admin/organizations/organization/{registration_with_history.organization.pk}/change/",
    ]:
        staff_page.goto(path)

        assert not staff_page.locator("th:empty").count(), path
        assert_accessible(staff_page, tags=WCAG_22_AND_BEST_PRACTICE_TAGS)
