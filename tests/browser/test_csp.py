"""The Content Security Policy in Chromium: the portal's pages load without a single
violation, and the harness notices when something inline is blocked."""

from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible

INJECT_INLINE_STYLE = """() => {
    document.querySelector("main").insertAdjacentHTML(
        "beforeend", '<p id="injected" style="color: rgb(255, 0, 0)">Injected</p>');
    return getComputedStyle(document.getElementById("injected")).color;
}"""

INJECT_INLINE_SCRIPT = """() => {
    const script = document.createElement("script");
    script.textContent = "window.injectedScriptRan = true;";
    document.body.appendChild(script);
    return window.injectedScriptRan === true;
}"""


def test_policy_header_forbids_inline_code_on_the_home_page(page):
    response = page.goto("/")

    policy = response.header_value("content-security-policy")
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_an_inline_style_is_blocked_and_reported(page, csp_violations):
    page.goto("/")

    color = page.evaluate(INJECT_INLINE_STYLE)

    assert color != "rgb(255, 0, 0)"
    expect(page.locator("#injected")).to_be_visible()
    page.wait_for_timeout(200)  # the violation event is reported asynchronously
    assert any("style-src" in problem for problem in csp_violations), csp_violations
    csp_violations.clear()


def test_an_inline_script_is_blocked_and_reported(page, csp_violations):
    page.goto("/")

    ran = page.evaluate(INJECT_INLINE_SCRIPT)

    assert ran is False
    page.wait_for_timeout(200)
    assert any("script-src" in problem for problem in csp_violations), csp_violations
    csp_violations.clear()


def test_uswds_and_portal_scripts_run_under_the_policy(page, csp_violations):
    page.goto("/")

    assert page.evaluate("() => window.uswdsPresent === true")
    expect(page.locator("html")).not_to_have_class("usa-js-loading")
    assert csp_violations == []


def test_signed_in_pages_load_without_violations(signed_in_page, security_official, csp_violations):
    page = signed_in_page(security_official)
    for path in ["/", "/accounts/devices/", "/no-such-page/"]:
        page.goto(path)
        assert_accessible(page)

    assert csp_violations == []
