"""A 390 px phone: the CAHPS list, the Registration Overview and Register for CAHPS fit the
screen (nothing wider than it, no cut year, tabs on one line, no label without a value, no
red Delete Registration before the form), and the portal navigation waits behind USWDS's
Menu button, which Escape closes. Without JavaScript the navigation stays on the page; at
1280 px it stays on the left."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from organizations.models import Role
from registrations.guide_years import LIKE_2021, LIKE_2023, open_window_around
from registrations.models import ProgramStatus, Source
from tests.browser.helpers import (
    WCAG_22_AND_BEST_PRACTICE_TAGS,
    assert_accessible,
    screenshot,
    wait_for_animations,
)
from tests.factories import (
    ApmEntityFactory,
    ContactFactory,
    OrganizationFactory,
    PerformanceYearFactory,
    RegistrationFactory,
    RoleFactory,
    VirtualGroupFactory,
)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# Every element drawn past the right edge of the viewport, save USWDS's screen-reader-only
# text. (What is hidden visually is moved off the left edge, so that edge is not checked.)
WIDER_THAN_THE_VIEWPORT = """() => {
  const width = document.documentElement.clientWidth;
  return Array.from(document.querySelectorAll("body *"))
    .filter((el) => !el.closest(".usa-sr-only"))
    .filter((el) => {
      const box = el.getBoundingClientRect();
      return box.width > 0 && box.height > 0 && box.right > width + 0.5;
    })
    .map((el) => {
      const classes = typeof el.className === "string" ? el.className.trim().split(/\\s+/) : [];
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + classes.map((c) => "." + c).join("");
      return name + " to " + Math.round(el.getBoundingClientRect().right) + "px";
    });
}"""

# How much wider a select's chosen option is than the room the select gives it (a closed
# select never wraps: what does not fit is cut off).
SELECT_TEXT_OVERFLOW = """(select) => {
  const style = getComputedStyle(select);
  const context = document.createElement("canvas").getContext("2d");
  context.font = style.font;
  const text = select.options[select.selectedIndex].text;
  const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return context.measureText(text).width - room;
}"""

# A stacked table cell's label (drawn by USWDS from data-label) and the text shown under it.
LABEL_AND_VALUE = """(cell) => {
  const label = getComputedStyle(cell, "::before").content;
  const shown = cell.cloneNode(true);
  shown.querySelectorAll(".usa-sr-only").forEach((hidden) => hidden.remove());
  return {label: ["none", "normal"].includes(label) ? "" : label, value: shown.textContent.trim()};
}"""

# The words of the first control a person sees (and tabs to) after the page's <h1>.
FIRST_CONTROL_AFTER_THE_TITLE = """() => {
  const title = document.querySelector("h1");
  const controls = document.querySelectorAll(
    "main a[href], main button, main input, main select, main textarea");
  const after = Array.from(controls).filter((control) =>
    (title.compareDocumentPosition(control) & Node.DOCUMENT_POSITION_FOLLOWING)
    && control.getClientRects().length && getComputedStyle(control).visibility !== "hidden");
  return after.length ? after[0].textContent.trim() : null;
}"""


def next_wednesday(after):
    """The first Wednesday on or after ``after``: the longest weekday's name, for the window's date."""
    return after + timedelta(days=(2 - after.weekday()) % 7)


@pytest.fixture
def years(db):
    window = open_window_around(timezone.now())
    window["window_closes"] = next_wednesday(window["window_closes"])
    return (
        PerformanceYearFactory(year=2025, **LIKE_2021, **window),
        PerformanceYearFactory(year=2026, **LIKE_2023, **window),
    )


@pytest.fixture
def official(security_official, practice, years):
    """A Security Official of two practices, a virtual group and an APM Entity (three tabs), with
    a CAHPS registration started for the first practice and none for the second."""
    not_started = OrganizationFactory(name="Riverbend Internal Medicine", identifier="456789012")
    for organization in (
        not_started,
        VirtualGroupFactory(name="Blue Ridge Virtual Group"),
        ApmEntityFactory(name="Capital Oncology Partners"),
    ):
        RoleFactory(user=security_official, organization=organization, kind=Role.Kind.SECURITY_OFFICIAL)
    started = RegistrationFactory(
        organization=practice,
        performance_year=years[1],
        cahps_status=ProgramStatus.INCOMPLETE,
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    ContactFactory(registration=started, first_name="Dana", last_name="Sullivan", email="", phone="")
    return security_official, started, not_started


def pages(official):
    _, started, _ = official
    return {
        "cahps-list": "/cahps/2026/?tab=practices",
        "overview": "/registration/2025/",
        "register-for-cahps": f"/cahps/2026/{started.organization_id}/",
    }


def assert_nothing_wider_than_the_viewport(page):
    wider = page.evaluate(WIDER_THAN_THE_VIEWPORT)
    assert not wider, f"{page.url} at {page.viewport_size['width']}px draws outside the screen: {wider}"


def assert_year_fits(page):
    select = page.get_by_role("combobox", name="Performance year")
    cut = select.evaluate(SELECT_TEXT_OVERFLOW)
    assert cut <= 0, (
        f"the year selector cuts {cut:.0f}px off {select.evaluate('s => s.selectedOptions[0].text')!r}"
    )


def navigation(page):
    return page.get_by_role("navigation", name="Portal navigation")


def test_cahps_list_fits_a_phone(signed_in_page, official):
    user, _, not_started = official
    page = signed_in_page(user)
    page.set_viewport_size(PHONE)

    page.goto(pages(official)["cahps-list"])

    assert_nothing_wider_than_the_viewport(page)
    assert_year_fits(page)
    # A whole box: USWDS's search-component style leaves a lone search box without a right edge.
    search = page.get_by_role("searchbox")
    expect(search).to_have_css("border-right-style", "solid")
    assert search.bounding_box()["x"] + search.bounding_box()["width"] <= PHONE["width"]
    tabs = page.get_by_role("navigation", name="Organization types").get_by_role("link")
    expect(tabs).to_have_count(3)
    tops = {round(tab.bounding_box()["y"]) for tab in tabs.all()}
    assert len(tops) == 1, f"the tabs wrap onto {len(tops)} lines"
    # [2023 §VI] "No status information indicates no registration has been started": no label
    # standing over an empty space either.
    status = page.locator(f"#org-{not_started.pk} td").first
    shown = status.evaluate(LABEL_AND_VALUE)
    assert not shown["label"] or shown["value"], f"{shown['label']} is drawn with nothing under it"
    expect(status).to_contain_text("Not started")  # still heard by a screen reader
    assert_accessible(page, tags=WCAG_22_AND_BEST_PRACTICE_TAGS)
    screenshot(page, "narrow-cahps-list-390")


def test_overview_fits_a_phone(signed_in_page, official):
    user, *_ = official
    page = signed_in_page(user)
    page.set_viewport_size(PHONE)

    page.goto(pages(official)["overview"])

    assert_nothing_wider_than_the_viewport(page)
    assert_year_fits(page)
    assert_accessible(page, tags=WCAG_22_AND_BEST_PRACTICE_TAGS)
    screenshot(page, "narrow-overview-390")


def test_register_for_cahps_on_a_phone_puts_delete_registration_after_the_form(signed_in_page, official):
    user, *_ = official
    page = signed_in_page(user)
    page.set_viewport_size(PHONE)

    page.goto(pages(official)["register-for-cahps"])

    assert_nothing_wider_than_the_viewport(page)
    first_control = page.evaluate(FIRST_CONTROL_AFTER_THE_TITLE)
    assert first_control != "Delete Registration", "Delete Registration is the first control after the title"
    delete = page.get_by_role("link", name="Delete Registration")
    expect(delete).to_be_visible()
    add_contact = page.get_by_role("link", name="+ Add another contact")
    follows = add_contact.evaluate(
        "(add, remove) => !!(add.compareDocumentPosition(remove) & 4)", delete.element_handle()
    )
    assert follows, "Delete Registration comes before the form"
    assert_accessible(page, tags=WCAG_22_AND_BEST_PRACTICE_TAGS)
    screenshot(page, "narrow-register-for-cahps-390")


@pytest.mark.parametrize("name", ["cahps-list", "overview", "register-for-cahps"])
def test_on_a_phone_the_navigation_waits_behind_the_menu_button(signed_in_page, official, name):
    user, *_ = official
    page = signed_in_page(user)
    page.set_viewport_size(PHONE)
    page.goto(pages(official)[name])
    menu = page.get_by_role("banner").get_by_role("button", name="Menu")

    expect(navigation(page)).to_be_hidden()
    menu.focus()
    page.keyboard.press("Enter")

    expect(navigation(page)).to_be_visible()
    expect(navigation(page).get_by_role("link", name="CAHPS for MIPS Survey Registration")).to_be_visible()
    # USWDS moves focus to the menu's Close button and keeps Tab inside the menu.
    expect(navigation(page).get_by_role("button", name="Close")).to_be_focused()
    wait_for_animations(page)  # the menu slides in from the right edge
    assert_nothing_wider_than_the_viewport(page)
    screenshot(page, f"narrow-{name}-390-menu-open")
    page.keyboard.press("Escape")

    expect(navigation(page)).to_be_hidden()
    expect(menu).to_be_focused()
    menu.click()
    expect(navigation(page)).to_be_visible()
    navigation(page).get_by_role("button", name="Close").click()
    expect(navigation(page)).to_be_hidden()
    assert_accessible(page, tags=WCAG_22_AND_BEST_PRACTICE_TAGS)


def test_without_javascript_a_phone_still_shows_the_navigation(
    browser, live_server, signed_in_page, official
):
    user, *_ = official
    cookies = signed_in_page(user).context.cookies()
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url, viewport=PHONE)
    context.add_cookies(cookies)
    try:
        nojs = context.new_page()
        nojs.goto(pages(official)["overview"])

        expect(navigation(nojs).get_by_role("link", name="Registration", exact=True)).to_be_visible()
        # A button that could not open anything is not offered.
        expect(nojs.get_by_role("button", name="Menu")).to_be_hidden()
        assert_nothing_wider_than_the_viewport(nojs)
        screenshot(nojs, "narrow-overview-390-without-javascript")
    finally:
        context.close()


@pytest.mark.parametrize("name", ["cahps-list", "overview", "register-for-cahps"])
def test_on_a_desktop_the_navigation_stays_on_the_left(signed_in_page, official, name):
    user, *_ = official
    page = signed_in_page(user)
    page.set_viewport_size(DESKTOP)

    page.goto(pages(official)[name])

    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(navigation(page)).to_be_visible()
    assert navigation(page).bounding_box()["x"] < page.locator("main").bounding_box()["x"]
    if name == "register-for-cahps":
        # [2023 §III.8] "... by clicking the button on the upper right-hand side."
        delete = page.get_by_role("link", name="Delete Registration").bounding_box()
        title = page.get_by_role("heading", level=1).bounding_box()
        assert delete["y"] < title["y"] + title["height"]
        assert delete["x"] > title["x"] + title["width"]
    assert_nothing_wider_than_the_viewport(page)
    screenshot(page, f"narrow-{name}-1280")
