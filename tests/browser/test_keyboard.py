"""Keyboard only: the main path of a page can be completed with Tab, Enter and Space,
focus moves in reading order, and the focused element always shows it is focused."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone
from playwright.sync_api import expect

from registrations.guide_years import LIKE_2021, open_window_around
from tests.browser.helpers import assert_accessible, screenshot
from tests.factories import (
    ContactFactory,
    OrganizationFactory,
    PerformanceYearFactory,
    RegistrationFactory,
    RoleFactory,
)

# Does the focused element show a focus indicator? USWDS draws the focus ring of a
# checkbox or radio on its label's ::before box (the input itself is visually hidden).
FOCUS_IS_VISIBLE = """() => {
    const el = document.activeElement;
    const shows = (s) => (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0)
        || (s.boxShadow && s.boxShadow !== "none");
    if (shows(getComputedStyle(el))) return true;
    return Array.from(el.labels || []).some((label) => shows(getComputedStyle(label, "::before")));
}"""

DESCRIBE_FOCUS = """() => {
    const el = document.activeElement;
    const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
    const text = label || el.innerText || el.value || "";
    return (el.tagName.toLowerCase() + " " + (el.id || "") + " " + text).trim();
}"""


def press_tab_until(page, locator, *, limit=40):
    """Press Tab until ``locator`` has focus; return what got focus on the way.

    Fails if an element on the way showed no focus indicator, or if the target
    was not reached within ``limit`` presses.
    """
    visited = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        visited.append(page.evaluate(DESCRIBE_FOCUS))
        assert page.evaluate(FOCUS_IS_VISIBLE), f"no visible focus on {visited[-1]!r}"
        if locator.evaluate("el => el === document.activeElement"):
            return visited
    raise AssertionError(f"Tab never reached {locator}; focus went: {visited}")


def test_home_by_keyboard_skip_link_banner_and_sign_in(page):
    page.goto("/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    assert page.evaluate(FOCUS_IS_VISIBLE)

    banner_button = page.get_by_role("button", name="Here’s how you know")
    press_tab_until(page, banner_button, limit=1)
    page.keyboard.press("Space")
    expect(banner_button).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_text("Secure .gov websites use HTTPS")).to_be_visible()

    sign_in = page.get_by_role("banner").get_by_role("link", name="Sign In")
    on_the_way = press_tab_until(page, sign_in, limit=2)
    assert on_the_way[0] == "a  QPP Registration"
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign In")


def test_skip_link_moves_the_keyboard_into_the_page_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    page.keyboard.press("Tab")

    in_main = page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
    assert in_main, page.evaluate(DESCRIBE_FOCUS)


def test_sign_in_form_by_keyboard_in_reading_order(page, security_official):
    # allauth signs in only confirmed e-mail addresses.
    EmailAddress.objects.create(
        user=security_official, email=security_official.email, verified=True, primary=True
    )
    page.goto("/accounts/login/")
    user_id = page.get_by_label("User ID")
    password = page.locator("#id_password")
    agree = page.get_by_role("checkbox", name="Yes, I agree")
    submit = page.get_by_role("main").get_by_role("button", name="Sign In", exact=True)

    press_tab_until(page, user_id)
    page.keyboard.type("so-user")
    press_tab_until(page, password, limit=1)
    page.keyboard.type("correct-horse-battery-staple-42")
    # Past "Forgot your password?" to the Statement of Truth.
    press_tab_until(page, agree, limit=2)
    page.keyboard.press("Space")
    expect(agree).to_be_checked()
    press_tab_until(page, submit, limit=1)
    page.keyboard.press("Enter")

    # The password and the Statement of Truth are accepted: the next step is two-factor.
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
    assert_accessible(page)


def test_sign_in_errors_by_keyboard_lead_from_the_summary_to_the_field(page):
    page.goto("/accounts/login/")
    submit = page.get_by_role("main").get_by_role("button", name="Sign In", exact=True)
    press_tab_until(page, submit)
    page.keyboard.press("Enter")

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    first_link = summary.get_by_role("link").first
    press_tab_until(page, first_link, limit=1)
    page.keyboard.press("Enter")

    expect(page.get_by_label("User ID")).to_be_focused()


@pytest.fixture
def year_open_now(db):
    return PerformanceYearFactory(year=2025, **LIKE_2021, **open_window_around(timezone.now()))


def test_add_contact_opens_in_its_first_field_two_tabs_from_e_mail(
    signed_in_page, security_official, practice, year_open_now
):
    ContactFactory(registration=RegistrationFactory(organization=practice, performance_year=year_open_now))
    page = signed_in_page(security_official)

    page.goto(f"/registration/2025/{practice.pk}/contacts/new/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Add New Contact")
    expect(page.get_by_label("First Name")).to_be_focused()
    press_tab_until(page, page.get_by_label("E-mail"), limit=2)


def test_a_contact_form_sent_back_with_errors_opens_on_its_summary(
    signed_in_page, security_official, practice, year_open_now
):
    RegistrationFactory(organization=practice, performance_year=year_open_now)
    page = signed_in_page(security_official)
    page.goto(f"/registration/2025/{practice.pk}/contacts/new/")
    expect(page.get_by_label("First Name")).to_be_focused()
    page.get_by_label("First Name").fill("")
    page.get_by_role("button", name="Update").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    assert page.get_by_label("First Name").get_attribute("autofocus") is None


def test_overview_jumps_to_the_seventh_organization_in_a_few_presses(
    signed_in_page, security_official, practice, year_open_now
):
    for number in range(2, 10):
        RoleFactory(user=security_official, organization=OrganizationFactory(name=f"Practice {number:02d}"))
    page = signed_in_page(security_official)
    page.goto("/registration/2025/")
    cards = page.locator("section.usa-card")
    expect(cards).to_have_count(9)
    seventh = cards.nth(6)
    heading = seventh.get_by_role("heading", level=2)
    name = heading.inner_text()
    # Each card has a heading (in a screen reader's list of headings) with an id to link to ...
    assert heading.get_attribute("id")
    jump_list = page.get_by_role("navigation", name="On this page")
    expect(jump_list.get_by_role("link")).to_have_count(9)
    link = jump_list.get_by_role("link", name=name, exact=True)

    # ... and the keyboard reaches it from the skip link, through the list "On this page", past
    # the deadline box's links and the seven controls of "Find organizations" (whose *Go to an
    # organization* reaches a card on any page by its name: tests/browser/test_overview_find.py).
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    presses = len(press_tab_until(page, link, limit=30))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"#{seventh.get_attribute('id')}$"))
    size = seventh.get_by_label("Organization Size")
    presses += len(press_tab_until(page, size, limit=3))

    assert presses <= 27, presses
    assert_accessible(page)
    screenshot(page, "registration-overview-on-this-page")
