"""The portal's shell in Chromium: banner, header, side navigation, footer and error
pages pass axe; the home page, the sign-in page and a form with errors fit a
1280-wide desktop and a 390-wide phone without sideways scrolling."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, assert_no_horizontal_overflow, screenshot

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])


def _check_shell(page, name, viewport):
    page.set_viewport_size(viewport)
    assert_accessible(page)
    assert_no_horizontal_overflow(page)
    screenshot(page, f"{name}-{viewport['width']}")


@VIEWPORTS
def test_home_for_a_visitor_shows_the_federal_banner_sign_in_and_help_line(page, viewport):
    page.goto("/")

    assert page.title() == "Home | QPP Registration"
    expect(page.get_by_role("heading", level=1)).to_have_text("QPP Registration")
    expect(page.get_by_text("An official website of the United States government")).to_be_visible()
    expect(page.get_by_role("banner").get_by_role("link", name="Sign In")).to_be_visible()
    footer = page.get_by_role("contentinfo")
    expect(footer).to_contain_text("Have questions? Contact the Quality Payment Program")
    expect(footer.get_by_role("link", name="1-866-288-8292")).to_have_attribute("href", "tel:1-866-288-8292")
    expect(footer).to_contain_text("711")
    expect(footer.get_by_role("link", name="QPP@cms.hhs.gov")).to_be_visible()
    expect(footer).to_contain_text("Monday–Friday, 8 a.m.–8 p.m. ET")
    expect(page.get_by_role("navigation", name="Portal navigation")).to_have_count(0)
    _check_shell(page, "home-anonymous", viewport)


def test_official_banner_opens_to_explain_gov_and_https(page):
    page.goto("/")
    button = page.get_by_role("button", name="Here’s how you know")
    expect(page.get_by_text("Official websites use .gov")).to_be_hidden()

    button.click()

    expect(button).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_text("Official websites use .gov")).to_be_visible()
    assert_accessible(page)


@VIEWPORTS
def test_home_after_two_factor_shows_the_side_navigation_and_sign_out(
    signed_in_page, security_official, viewport
):
    page = signed_in_page(security_official)
    page.goto("/")

    navigation = page.get_by_role("navigation", name="Portal navigation")
    expect(navigation.get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("banner")).to_contain_text("Signed in as Sam Official")
    expect(page.get_by_role("banner").get_by_role("button", name="Sign Out")).to_be_visible()
    expect(page.get_by_role("banner").get_by_role("link", name="Sign In")).to_have_count(0)
    _check_shell(page, "home-signed-in", viewport)


def test_side_navigation_is_withheld_until_two_factor_has_passed(signed_in_page, security_official):
    page = signed_in_page(security_official, two_factor=False)
    page.goto("/")

    expect(page.get_by_role("navigation", name="Portal navigation")).to_have_count(0)
    expect(page.get_by_role("banner").get_by_role("button", name="Sign Out")).to_be_visible()
    assert_accessible(page)


def test_sign_out_is_a_button_that_ends_the_session(signed_in_page, security_official):
    page = signed_in_page(security_official)
    page.goto("/")

    page.get_by_role("banner").get_by_role("button", name="Sign Out").click()

    expect(page.get_by_role("banner").get_by_role("link", name="Sign In")).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("navigation", name="Portal navigation")).to_have_count(0)


@VIEWPORTS
def test_sign_in_page_looks_right(page, viewport):
    page.goto("/accounts/login/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign In")
    expect(page.get_by_label("User ID")).to_be_visible()
    _check_shell(page, "sign-in", viewport)


@VIEWPORTS
def test_sign_in_with_errors_summarises_them_and_keeps_what_was_typed(page, security_official, viewport):
    page.goto("/accounts/login/")
    page.get_by_label("User ID").fill("so-user")

    page.get_by_role("button", name="Sign In", exact=True).click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(page.get_by_label("User ID")).to_have_value("so-user")
    agree = page.get_by_role("checkbox", name="Yes, I agree")
    expect(agree).to_have_attribute("aria-invalid", "true")
    error_id = agree.get_attribute("aria-describedby")
    expect(page.locator(f"#{error_id}")).to_contain_text("Yes, I agree")
    summary.get_by_role("link", name="Yes, I agree").click()
    expect(agree).to_be_focused()
    _check_shell(page, "sign-in-with-errors", viewport)


def test_page_not_found_is_a_portal_page(page):
    response = page.goto("/no-such-page/")

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("link", name="QPP Registration home page")).to_be_visible()
    assert_accessible(page)


def test_page_not_found_for_a_signed_in_user_keeps_the_navigation(signed_in_page, security_official):
    page = signed_in_page(security_official)
    response = page.goto("/no-such-page/")

    assert response.status == 404
    expect(page.get_by_role("navigation", name="Portal navigation")).to_be_visible()
    assert_accessible(page)


def test_expired_form_explains_itself_instead_of_a_bare_forbidden(page, context):
    page.goto("/accounts/login/")
    context.clear_cookies()
    page.get_by_label("User ID").fill("so-user")

    page.get_by_role("button", name="Sign In", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your form expired")
    assert_accessible(page)


def test_django_admin_sends_a_visitor_to_the_portal_sign_in(page):
    page.goto("/admin/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign In")
    assert page.url.endswith("/accounts/login/?next=%2Fadmin%2F")
    assert_accessible(page)
