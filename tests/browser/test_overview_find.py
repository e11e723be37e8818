"""Finding organizations on the Registration Overview in Chromium [issue 27 item 1]: an official of
60 organizations filters to the ones not registered, pages through them, and goes straight to one
by its name, at 1280 and 390 px, by keyboard, and without JavaScript (axe on each screen)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from registrations.guide_years import LIKE_2021, open_window_around
from registrations.models import Size
from tests.browser.helpers import check_screen
from tests.factories import OrganizationFactory, PerformanceYearFactory, RoleFactory, UserFactory, registered

pytestmark = pytest.mark.browser


@pytest.fixture
def official_of_60(db):
    year = PerformanceYearFactory(year=2025, **LIKE_2021, **open_window_around(timezone.now()))
    user = UserFactory(username="sixty-so", first_name="Dana", last_name="Sullivan")
    organizations = [
        OrganizationFactory(name=f"Harbor Clinic {n:02d}", identifier=f"{900000000 + n}") for n in range(59)
    ]
    organizations.append(OrganizationFactory(name="Zephyr Family Medicine", identifier="987654321"))
    for organization in organizations:
        RoleFactory(user=user, organization=organization)
    for organization in organizations[:59:2]:
        registered(organization, year, size=Size.MEDIUM, contacts=0)
    return user, organizations[-1]


def summary(page):
    return page.locator("#results-summary")


def filter_page_and_go_to(page, width, *, scanner=None, keyboard=False):
    prefix = f"overview-find-{'nojs' if scanner else 'js'}-{width}"
    page.goto("/registration/2025/")
    expect(page.get_by_role("heading", name="Find organizations")).to_be_visible()
    expect(summary(page)).to_have_text("Showing 1–25 of 60 organizations.")
    check_screen(page, f"{prefix}-01-whole-list", scanner)

    # Filter to the ones not registered, with a search; the title says the outcome.
    page.get_by_label("Status", exact=True).select_option("Not registered")
    search = page.get_by_label("Search", exact=True)
    search.fill("medicine 00")  # nothing has both words next to each other: no match
    if keyboard:
        search.press("Enter")
    else:
        page.get_by_role("button", name="Search", exact=True).click()
    expect(summary(page)).to_have_text("0 of 60 organizations match. Show every organization")
    page.get_by_label("Search", exact=True).fill("")
    page.get_by_label("Sort by").select_option("Status (to register first)")
    if keyboard:
        # Enter does not send a form from a select: Tab goes on to the Search button.
        page.get_by_label("Sort by").press("Tab")
        expect(page.get_by_role("button", name="Search", exact=True)).to_be_focused()
        page.keyboard.press("Enter")
    else:
        page.get_by_role("button", name="Search", exact=True).click()
    expect(summary(page)).to_have_text("30 of 60 organizations match. Showing 1–25.")
    expect(page).to_have_title(re.compile(r"^30 of 60 organizations match — Registration Overview — 2025"))
    expect(page.get_by_label("Status", exact=True)).to_have_value("not_registered")
    check_screen(page, f"{prefix}-02-not-registered", scanner)

    # The page links keep the filter and the sort.
    page.get_by_role("link", name="Page 2").click()
    expect(summary(page)).to_have_text("30 of 60 organizations match. Showing 26–30.")
    expect(page.get_by_label("Status", exact=True)).to_have_value("not_registered")
    expect(page.get_by_label("Sort by")).to_have_value("status")
    assert "status=not_registered" in page.url and "sort=status" in page.url

    # Go to an organization that is not on this page: its page, at its card.
    go_to = page.get_by_label("Go to an organization")
    go_to.fill("Nowhere")
    go_to.press("Enter") if keyboard else page.get_by_role("button", name="Go to the organization").click()
    expect(page.locator("#id_jump_error")).to_have_text(
        "None of your organizations matches “Nowhere”. Check the name, TIN or ID."
    )
    expect(page.get_by_label("Go to an organization")).to_have_value("Nowhere")
    check_screen(page, f"{prefix}-03-go-to-error", scanner)

    # From page 2, to one on page 1 of the narrowed list: the list stays narrowed.
    go_to = page.get_by_label("Go to an organization")
    go_to.fill("harbor clinic 01")
    go_to.press("Enter") if keyboard else page.get_by_role("button", name="Go to the organization").click()
    expect(page.get_by_role("heading", name="Harbor Clinic 01", level=2)).to_be_in_viewport()
    assert re.search(r"/registration/2025/\?status=not_registered&sort=status#org-\d+$", page.url), page.url
    expect(summary(page)).to_have_text("30 of 60 organizations match. Showing 1–25.")
    check_screen(page, f"{prefix}-04-gone-to", scanner)

    # One that the narrowing leaves out (registered): the whole list, at its page (3 of 3).
    go_to = page.get_by_label("Go to an organization")
    go_to.fill("Harbor Clinic 58")
    go_to.press("Enter") if keyboard else page.get_by_role("button", name="Go to the organization").click()
    expect(page.get_by_role("heading", name="Harbor Clinic 58", level=2)).to_be_in_viewport()
    assert re.search(r"/registration/2025/\?sort=status&page=3#org-\d+$", page.url), page.url
    check_screen(page, f"{prefix}-05-gone-to-the-whole-list", scanner)


@pytest.mark.parametrize("width", [1280, 390])
def test_filter_page_through_and_go_to_an_organization(signed_in_page, official_of_60, width):
    user, _target = official_of_60
    page = signed_in_page(user)
    page.set_viewport_size({"width": width, "height": 900})

    filter_page_and_go_to(page, width, keyboard=width == 390)


@pytest.mark.parametrize("width", [1280, 390])
def test_filter_page_through_and_go_to_an_organization_without_javascript(
    page, official_of_60, width, signed_in_without_javascript
):
    user, _target = official_of_60
    context = signed_in_without_javascript(user, viewport={"width": width, "height": 900})
    try:
        filter_page_and_go_to(context.new_page(), width, scanner=page)
    finally:
        context.close()
