"""The public eligibility checker in Chromium, signed out, with and without JavaScript."""

import contextlib
import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, assert_no_horizontal_overflow, screenshot
from tests.browser.test_cahps_2023_flow import scan
from tests.factories import PerformanceYearFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def guide_years(live_server):
    return [PerformanceYearFactory(year=year) for year in (2020, 2021, 2023)]


def choose(page, group, label):
    """Click the radio's label, as a person does: USWDS draws its own radio over the input."""
    fieldset = page.get_by_role("group", name=group)
    fieldset.locator("label").filter(has_text=re.compile(f"^{re.escape(label)}$")).click()
    expect(fieldset.get_by_label(label, exact=True)).to_be_checked()


def answer_questions(page, *, year, kind, aco, size):
    page.get_by_role("combobox", name="Performance year").select_option(year)
    choose(page, "Organization type", kind)
    choose(page, "ACO participation", aco)
    choose(page, "Organization size", size)


def card(page, program):
    return page.locator(".usa-card").filter(has=page.get_by_role("heading", name=program))


def test_checker_with_javascript_answers_as_the_questions_change(page, guide_years):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    page.get_by_role("main").get_by_role("link", name="Check eligibility").click()
    expect(page.get_by_role("heading", level=1, name="Check eligibility")).to_be_visible()
    assert_accessible(page)

    answer_questions(
        page, year="2021", kind="APM Entity", aco="Shared Savings Program (MSSP) ACO", size="100 or more"
    )
    # No button press: the answer follows the last change.
    expect(page.get_by_role("heading", name="Performance year 2021: the answer")).to_be_visible()
    expect(card(page, "CMS Web Interface")).to_contain_text("Registered automatically")
    expect(card(page, "CMS Web Interface")).to_contain_text(
        "2021 changes to the Registration Guide, change #5"
    )
    expect(card(page, "CAHPS for MIPS Survey")).to_contain_text("Registered automatically")
    assert "aco_type=ssp" in page.url, "the answer can be bookmarked"
    assert_accessible(page)
    screenshot(page, "eligibility-js-1280")

    choose(page, "ACO participation", "Not an ACO")
    choose(page, "Organization size", "2–24")
    expect(card(page, "CMS Web Interface")).to_contain_text("Cannot register")
    expect(card(page, "CMS Web Interface")).to_contain_text("only available to organizations with 25 or more")
    expect(card(page, "CAHPS for MIPS Survey")).to_contain_text("Can register")

    page.get_by_role("combobox", name="Performance year").select_option("2023")
    choose(page, "Organization type", "Subgroup")
    expect(card(page, "CAHPS for MIPS Survey")).to_contain_text("Registered by the QPP Service Center")

    # An ACO that is not an APM Entity: the form comes back with the message next to the field.
    choose(page, "Organization type", "Practice")
    choose(page, "ACO participation", "Next Generation ACO")
    expect(page.locator("#id_aco_type_error")).to_contain_text("Only an APM Entity can be an ACO")
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)

    page.set_viewport_size({"width": 390, "height": 844})
    choose(page, "ACO participation", "Not an ACO")
    page.get_by_role("button", name="Check eligibility").click()
    expect(card(page, "CAHPS for MIPS Survey")).to_contain_text("Can register")
    assert_no_horizontal_overflow(page)
    assert_accessible(page)
    screenshot(page, "eligibility-js-390")


def test_checker_without_javascript(browser, live_server, page, guide_years):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    nojs = context.new_page()
    try:
        nojs.goto("/accounts/login/")
        nojs.get_by_role("main").get_by_role("link", name="Check eligibility").click()
        expect(nojs.get_by_role("heading", level=1, name="Check eligibility")).to_be_visible()
        scan(nojs, page)

        answer_questions(nojs, year="2020", kind="APM Entity", aco="Next Generation ACO", size="25–99")
        nojs.get_by_role("button", name="Check eligibility").click()
        expect(nojs.get_by_role("heading", name="Performance year 2020: the answer")).to_be_visible()
        expect(card(nojs, "CMS Web Interface")).to_contain_text("Registered automatically")
        expect(card(nojs, "CAHPS for MIPS Survey")).to_contain_text("Cannot register")
        expect(card(nojs, "CAHPS for MIPS Survey")).to_contain_text("CAHPS for ACOs Survey")
        expect(nojs.get_by_role("combobox", name="Performance year")).to_have_value("2020")
        scan(nojs, page)
        screenshot(nojs, "eligibility-nojs-1280")

        choose(nojs, "Organization type", "Virtual Group")
        nojs.get_by_role("button", name="Check eligibility").click()
        expect(nojs.locator("#id_aco_type_error")).to_contain_text("Only an APM Entity can be an ACO")
        expect(
            nojs.get_by_role("group", name="Organization type").get_by_label("Virtual Group")
        ).to_be_checked()
        scan(nojs, page)
    finally:
        context.close()


def test_a_late_answer_never_replaces_the_answer_to_the_latest_question(page, guide_years):
    """Two changes in a row: the first question's answer is held back until the second's is
    shown, then let through; the page keeps the answer to the second question."""
    page.goto("/eligibility/")
    answer_questions(
        page, year="2021", kind="APM Entity", aco="Shared Savings Program (MSSP) ACO", size="100 or more"
    )
    expect(card(page, "CMS Web Interface")).to_contain_text("Registered automatically")

    held = []

    def hold_the_first(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route(re.compile(r"/eligibility/\?"), hold_the_first)
    choose(page, "ACO participation", "Not an ACO")  # 100 or more: can register, held back
    choose(page, "Organization size", "2–24")  # answered at once: cannot register
    expect(card(page, "CMS Web Interface")).to_contain_text("Cannot register")

    assert len(held) == 1
    # The page cancelled it when the second question was asked; without that it answers now.
    with contextlib.suppress(PlaywrightError):
        held[0].continue_()
    page.wait_for_load_state("networkidle")
    expect(card(page, "CMS Web Interface")).to_contain_text("Cannot register")
    expect(
        page.get_by_role("group", name="Organization size").get_by_label("2–24", exact=True)
    ).to_be_checked()
    assert "size=2-24" in page.url
