"""The building blocks in templates/includes/, tried in Chromium on a test-only gallery
(tests/browser/component_urls.py) and on the error pages."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, assert_no_horizontal_overflow, screenshot

pytestmark = pytest.mark.urls("tests.browser.component_urls")

FILLED = {
    "organization_name": "Chesapeake Family Medicine",
    "email": "not-an-address",
    "phone": "(410) 555-0100",
}


def field(page, name):
    return page.locator(f"#id_{name}")


def test_every_kind_of_field_with_errors_is_labelled_summarised_and_keeps_input(page):
    page.goto("/components/form/")
    for name, value in FILLED.items():
        field(page, name).fill(value)
    field(page, "state").select_option("VA")
    field(page, "notes").fill("Typed notes")

    page.get_by_role("button", name="Save").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    for label in ["E-mail", "Organization Size", "Programs", "Yes, I agree"]:
        expect(summary.get_by_role("link", name=label)).to_be_visible()
    for name, value in FILLED.items():
        expect(field(page, name)).to_have_value(value)
    expect(field(page, "state")).to_have_value("VA")
    expect(field(page, "notes")).to_have_value("Typed notes")
    email = field(page, "email")
    expect(email).to_have_attribute("aria-invalid", "true")
    error = page.locator(f"#{email.get_attribute('aria-describedby')}")
    expect(error).to_have_text("Enter a valid email address.")
    hint = field(page, "organization_name").get_attribute("aria-describedby")
    expect(page.locator(f"#{hint}")).to_have_text("As shown on your TIN records.")
    expect(page.get_by_role("group", name="Organization Size")).to_be_visible()
    expect(page.get_by_text("Required fields are marked with an asterisk")).to_be_visible()

    summary.get_by_role("link", name="Organization Size").click()
    expect(page.get_by_role("radio", name="2–24")).to_be_focused()

    assert_accessible(page)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert_no_horizontal_overflow(page)
        screenshot(page, f"form-with-errors-{width}")


def test_a_form_error_that_belongs_to_no_field_is_in_the_summary(page):
    page.goto("/components/form/")
    field(page, "organization_name").fill("Taken")

    page.get_by_role("button", name="Save").click()

    expect(page.locator("[data-error-summary]")).to_contain_text(
        "An organization with this name is already registered."
    )


def test_a_valid_form_saves_and_the_message_shows_as_a_success_alert(page):
    page.goto("/components/form/")
    field(page, "organization_name").fill("Chesapeake Family Medicine")
    field(page, "email").fill("so@example.com")
    field(page, "phone").fill("(410) 555-0100")
    field(page, "state").select_option("MD")
    # USWDS draws radios and checkboxes on their labels: click what a person clicks.
    page.get_by_text("25–99", exact=True).click()
    page.get_by_text("CAHPS for MIPS Survey", exact=True).click()
    page.locator("label[for=id_agree]").click()

    page.get_by_role("button", name="Save").click()

    expect(page.locator(".usa-alert--success")).to_have_text("Saved.")
    expect(page.get_by_role("status")).to_contain_text("Saved.")


def test_building_blocks_show_status_with_icon_and_text_and_pass_axe(page):
    page.goto("/components/blocks/")

    statuses = page.locator(".qpp-status")
    expect(statuses).to_have_text(
        ["Registered", "Complete", "Automatically registered", "Not registered", "Incomplete", "Not started"]
    )
    for kind, icon in [("registered", "status-check"), ("not_registered", "status-half-circle")]:
        expect(page.locator(f".qpp-status--{kind} img")).to_have_attribute("src", f"/static/img/{icon}.svg")
    expect(page.locator(".qpp-status--incomplete img")).to_have_attribute("alt", "")
    expect(page.locator(".qpp-status--not_started img")).to_have_count(0)
    expect(page.get_by_role("link", name="Practices")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("table", name="Connected organizations")).to_be_visible()
    assert_accessible(page)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert_no_horizontal_overflow(page)
        screenshot(page, f"building-blocks-{width}")


def test_pagination_keeps_the_other_query_parameters(page):
    page.goto("/components/blocks/?tab=apm&page=5")
    pagination = page.get_by_role("navigation", name="Pagination")

    expect(pagination.get_by_role("link", name="Page 5")).to_have_attribute("aria-current", "page")
    pagination.get_by_role("link", name="Next page").click()

    assert page.url.endswith("/components/blocks/?tab=apm&page=6")
    expect(page.get_by_role("link", name="APM Entities")).to_have_attribute("aria-current", "page")
    expect(pagination.get_by_role("link", name="Page 20")).to_be_visible()


def test_confirmation_opens_as_a_modal_with_javascript(page):
    page.goto("/components/blocks/")

    page.get_by_role("button", name="Cancel Registration").click()

    dialog = page.get_by_role("dialog", name="Cancel Registration")
    expect(dialog.get_by_role("heading", name="Cancel Registration")).to_be_visible()
    expect(dialog.get_by_role("button", name="Cancel", exact=True)).to_be_focused()  # the safe choice
    assert_accessible(page)
    screenshot(page, "confirmation-modal")
    dialog.get_by_role("button", name="Cancel", exact=True).click()
    expect(dialog.get_by_role("heading", name="Cancel Registration")).to_be_hidden()

    page.get_by_role("button", name="Cancel Registration").click()
    dialog.get_by_role("button", name="Continue").click()

    expect(page.locator(".qpp-messages")).to_contain_text("QPP-2345-6789 was cancelled")


def test_confirmation_works_without_javascript(browser, base_url):
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/components/blocks/")
        expect(page.get_by_role("dialog")).to_have_count(0)
        expect(page.get_by_text("Do you want to cancel")).to_be_hidden()

        page.get_by_role("link", name="Cancel Registration").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Cancel Registration")
        expect(page.get_by_role("link", name="Cancel", exact=True)).to_have_attribute(
            "href", "/components/blocks/"
        )
        page.get_by_role("button", name="Continue").click()
        expect(page.locator(".qpp-messages")).to_contain_text("QPP-2345-6789 was cancelled")
    finally:
        context.close()


def test_stand_alone_confirmation_page_is_accessible(page):
    page.goto("/components/confirm/")

    expect(page.get_by_role("button", name="Continue")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [
        ("/components/error/", 500, "Something went wrong"),
        ("/components/unavailable/", 503, "The portal is briefly unavailable"),
        ("/components/forbidden/", 403, "Access denied"),
        ("/components/bad-request/", 400, "Bad request"),
    ],
    ids=["500", "503", "403", "400"],
)
def test_error_pages_are_portal_pages_with_the_help_line(page, url, status, heading):
    response = page.goto(url)

    assert response.status == status
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("contentinfo")).to_contain_text("1-866-288-8292")
    assert_accessible(page)
