"""The look a new user relies on, in Chromium with axe on each screen touched.

- No word breaks inside itself at 1280, 1024 or 390 px (buttons, headings, table cells, labels,
  links and hints) on every page a Security Official opens.
- "Registered" in green text beside the green check [2020 §III.5]; one Back to List style.
- Congratulations and the Overview print cleanly, with a Print button, the time of printing
  and the registration ID standing out [2020 §IV.8].
- Register for CAHPS: one information banner; auto-save after the session ended says so.
"""

import re
from importlib import import_module

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from registrations.guide_years import LIKE_2021, LIKE_2023, open_window_around
from registrations.models import ProgramStatus, Size, Source
from tests.browser.helpers import SCREENSHOT_DIR, assert_accessible, screenshot
from tests.factories import (
    ContactFactory,
    OrganizationFactory,
    PerformanceYearFactory,
    RegistrationFactory,
    RoleFactory,
    UserFactory,
)

BROKEN_WORDS = """(selector) => {
  const broken = [];
  for (const element of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const parent = node.parentElement;
      if (!parent || parent.closest('.usa-sr-only, .qpp-wrap-anywhere, [hidden]')) continue;
      if (!parent.getClientRects().length) continue;
      const words = /[^\\s\\-–—\\/·,()]+/g;
      let match;
      while ((match = words.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set(Array.from(range.getClientRects())
          .filter((rect) => rect.width > 0).map((rect) => Math.round(rect.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""
CHECKED = (
    "main .usa-button, main th, main td, main h1, main h2, main h3, main h4, main .qpp-status,"
    " main label, main legend, main .usa-hint, main a, main .usa-card__heading, header, nav"
)


@pytest.fixture
def years(db):
    window = open_window_around(timezone.now())
    return (
        PerformanceYearFactory(year=2025, **LIKE_2021, **window),
        PerformanceYearFactory(year=2026, **LIKE_2023, **window),
    )


@pytest.fixture
def official(db, years):
    user = UserFactory(username="fidelity-so", first_name="Dana", last_name="Sullivan")
    names = [
        ("Chesapeake Family Medicine", "123456789"),
        ("Riverbend Internal Medicine (ACO participant)", "456789012"),
        ("Allegheny Health Partners", "345678901"),
    ]
    organizations = [
        OrganizationFactory(name=name, identifier=tin, address_line_1="1 Main St", city="Baltimore")
        for name, tin in names
    ]
    for organization in organizations:
        RoleFactory(user=user, organization=organization)
    registration = RegistrationFactory(
        organization=organizations[0],
        performance_year=years[0],
        size=Size.MEDIUM,
        web_interface_status=ProgramStatus.REGISTERED,
        web_interface_source=Source.SECURITY_OFFICIAL,
    )
    ContactFactory(registration=registration, first_name="Dana", last_name="Sullivan")
    return user, organizations, registration


@pytest.mark.parametrize("width", [1280, 1024, 390])
def test_no_word_breaks_inside_itself(signed_in_page, official, years, width):
    user, organizations, _ = official
    cahps = RegistrationFactory(
        organization=organizations[2],
        performance_year=years[1],
        cahps_status=ProgramStatus.INCOMPLETE,
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    ContactFactory(registration=cahps, first_name="Dana", last_name="Sullivan")
    page = signed_in_page(user)
    page.set_viewport_size({"width": width, "height": 900})
    registered, unregistered = organizations[0].pk, organizations[1].pk

    for number, path in enumerate(
        (
            "/",
            "/organizations/",
            "/organizations/connect/",
            "/organizations/connected/",
            "/registration/",
            "/registration/2025/",
            f"/registration/2025/{registered}/",
            f"/registration/2025/{registered}/web-interface/congratulations/",
            f"/registration/2025/{registered}/cahps/submit/",
            f"/registration/2025/{registered}/organization/",
            f"/registration/2025/{registered}/contacts/new/",
            "/cahps/",
            "/cahps/2026/?tab=practices",
            f"/cahps/2026/{unregistered}/",
            f"/cahps/2026/{organizations[2].pk}/",
            "/accounts/two-factor/",
        )
    ):
        assert page.goto(path).ok, path
        broken = page.evaluate(BROKEN_WORDS, CHECKED)
        assert not broken, f"{path} at {width}px breaks inside: {broken}"
        assert_accessible(page)
        screenshot(page, f"fidelity-{width}-{number:02d}-{path}")


def test_registered_is_green_text_beside_the_green_check(signed_in_page, official):
    user, *_ = official
    page = signed_in_page(user)

    page.goto("/organizations/connected/?year=2025")

    registered = page.locator(".qpp-status--registered").first
    expect(registered).to_contain_text("Registered")
    expect(registered.locator(".qpp-status__text")).to_have_css("color", "rgb(33, 110, 31)")
    expect(page.locator(".qpp-status--not_registered").first).not_to_have_css("color", "rgb(33, 110, 31)")
    assert_accessible(page)


def test_back_to_list_has_one_style_on_every_page(signed_in_page, official):
    user, organizations, _ = official
    page = signed_in_page(user)
    pk = organizations[0].pk
    looks = set()

    for path in (
        f"/registration/2025/{pk}/",
        f"/registration/2025/{pk}/web-interface/congratulations/",
        f"/registration/2025/{pk}/cahps/submit/",
    ):
        page.goto(path)
        back = page.get_by_role("link", name="Back to List")
        expect(back).to_have_count(1)
        looks.add(
            back.evaluate(
                "e => [e.className, getComputedStyle(e).borderTopWidth, getComputedStyle(e).color].join()"
            )
        )
        assert_accessible(page)
    assert len(looks) == 1, looks


@pytest.mark.parametrize("width", [1280, 390])
def test_congratulations_prints_cleanly_with_a_print_button(signed_in_page, official, width):
    user, organizations, registration = official
    page = signed_in_page(user)
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(f"/registration/2025/{organizations[0].pk}/web-interface/congratulations/")
    page.evaluate("() => { window.print = () => { window.printed = (window.printed || 0) + 1; }; }")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.printed") == 1
    assert_accessible(page)
    screenshot(page, f"fidelity-congratulations-{width}")

    page.emulate_media(media="print")
    for hidden in (
        page.get_by_role("navigation", name="Portal navigation"),
        page.get_by_role("button", name="Print"),
        page.get_by_role("link", name="Back to List"),
        page.get_by_role("button", name="Sign Out"),
    ):
        expect(hidden).to_be_hidden()
    expect(
        page.get_by_text(re.compile(r"^Printed \w+day, .* (a|p)\.m\. ET from the QPP Registration portal\.$"))
    ).to_be_visible()
    registration_id = page.locator(".qpp-registration-id")
    expect(registration_id).to_have_text(registration.registration_id)
    assert registration_id.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 28
    screenshot(page, f"fidelity-congratulations-print-media-{width}")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(SCREENSHOT_DIR / f"fidelity-congratulations-printed-{width}.pdf"))


def test_the_overview_prints_without_navigation_or_buttons(signed_in_page, official):
    user, *_ = official
    page = signed_in_page(user)

    page.goto("/registration/2025/")
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    page.emulate_media(media="print")

    expect(page.get_by_role("navigation", name="Portal navigation")).to_be_hidden()
    expect(page.locator("main .usa-button:visible")).to_have_count(0)
    expect(
        page.get_by_text(re.compile(r"^Printed .* ET from the QPP Registration portal\.$"))
    ).to_be_visible()
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(SCREENSHOT_DIR / "fidelity-overview-printed.pdf"))


def test_register_for_cahps_has_one_information_banner(signed_in_page, official, years):
    user, organizations, _ = official
    RegistrationFactory(organization=organizations[2], performance_year=years[1], size="")
    page = signed_in_page(user)

    page.goto(f"/cahps/2026/{organizations[2].pk}/")

    expect(page.locator("main .usa-alert--info:visible")).to_have_count(1)
    expect(page.get_by_text(re.compile("saved automatically", re.I))).to_have_count(1)
    assert_accessible(page)
    screenshot(page, "fidelity-register-for-cahps")


def test_auto_save_after_the_session_ended_says_so_with_a_sign_in_link(
    signed_in_page, context, official, years
):
    user, organizations, _ = official
    RegistrationFactory(
        organization=organizations[2],
        performance_year=years[1],
        size=Size.SMALL,
        cahps_status=ProgramStatus.INCOMPLETE,
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    page = signed_in_page(user)
    page.goto(f"/cahps/2026/{organizations[2].pk}/")
    live = page.locator("[data-autosave-status]")

    # Signed out meanwhile (idle, or in another tab): the session is gone on the server.
    key = next(c["value"] for c in context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    import_module(settings.SESSION_ENGINE).SessionStore(key).delete()
    first = page.get_by_role("group", name="Contact 1")
    first.get_by_label("Phone Number").fill("410 555 0142")
    first.get_by_label("Phone Number").press("Tab")

    expect(live).to_contain_text("not saved: you were signed out")
    expect(live).not_to_contain_text("marked in red")
    expect(live.get_by_role("link", name="Sign in again")).to_have_attribute(
        "href", re.compile(r"^/accounts/login/\?next=/cahps/2026/")
    )
    assert_accessible(page)
