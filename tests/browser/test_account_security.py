"""Account security in Chromium: the idle warning, recovery codes and the enrolment pages.

The idle warning's own timers run on Playwright's fake clock, and the portal's
clock is moved by ageing the session's last activity, so nothing here waits.
"""

import re
import time
from pathlib import Path

import pyotp
import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from accounts import recovery, two_factor
from accounts.models import TwoFactorDevice
from accounts.two_factor import LAST_SEEN_KEY
from tests.accounts.conftest import confirm_email
from tests.browser.helpers import assert_accessible, screenshot
from tests.factories import UserFactory


@pytest.fixture
def account(transactional_db):
    user = UserFactory(username="dana-so", first_name="Dana", last_name="Sullivan", email="dana@example.com")
    confirm_email(user)
    TwoFactorDevice.objects.create(user=user, kind="totp", name="Pixel app", secret=pyotp.random_base32())
    return user


def age_session(context, seconds_idle):
    """The portal's view of the session: last activity ``seconds_idle`` seconds ago."""
    key = next(c["value"] for c in context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = SessionStore(session_key=key)
    session[LAST_SEEN_KEY] = int(time.time()) - seconds_idle
    session.save()
    return session


def last_seen(context):
    key = next(c["value"] for c in context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    return SessionStore(session_key=key)[LAST_SEEN_KEY]


IDLE = 30 * 60
WARN = 120


def warning_heading(page):
    # USWDS's dialog wrapper is an empty fixed box; its heading shows whether it is open.
    return page.get_by_role("heading", name="Are you still there?")


def open_warning(page, context):
    page.clock.install()
    page.goto("/accounts/devices/")
    expect(warning_heading(page)).to_be_hidden()
    age_session(context, IDLE - 90)
    page.clock.run_for((IDLE - WARN + 1) * 1000)
    expect(warning_heading(page)).to_be_visible()
    return page.get_by_role("dialog", name="Are you still there?")


def test_idle_warning_appears_and_stay_signed_in_keeps_the_session(signed_in_page, account, context):
    page = signed_in_page(account)

    dialog = open_warning(page, context)

    expect(page.locator("#idle-warning-description")).to_contain_text(
        re.compile(r"signed out in\s+1 minute \d+ seconds")
    )
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_focused()
    assert_accessible(page)
    screenshot(page, "idle-warning")
    page.keyboard.press("Enter")
    expect(warning_heading(page)).to_be_hidden()
    page.wait_for_function("() => !document.body.classList.contains('usa-js-modal--active')")
    assert last_seen(context) >= int(time.time()) - 5
    page.goto("/accounts/devices/")
    expect(page.get_by_role("heading", name="Account / Devices")).to_be_visible()


def test_escape_in_the_idle_warning_also_keeps_the_session(signed_in_page, account, context):
    page = signed_in_page(account)
    open_warning(page, context)

    page.keyboard.press("Escape")

    expect(warning_heading(page)).to_be_hidden()
    page.wait_for_function("() => !document.getElementById('idle-warning').open")
    assert last_seen(context) >= int(time.time()) - 5


def test_ignoring_the_idle_warning_signs_out_with_the_message(signed_in_page, account, context):
    page = signed_in_page(account)
    open_warning(page, context)

    age_session(context, IDLE + 1)
    page.clock.run_for(91 * 1000)

    page.wait_for_url("**/accounts/login/**")
    expect(page.get_by_text("You were signed out after 30 minutes without activity.")).to_be_visible()


def test_sign_out_in_the_idle_warning_signs_out(signed_in_page, account, context):
    page = signed_in_page(account)
    dialog = open_warning(page, context)

    dialog.get_by_role("button", name="Sign out").click()

    page.wait_for_url("**/accounts/login/**")
    expect(page.get_by_role("button", name="Sign In", exact=True)).to_be_visible()


def test_activity_elsewhere_moves_the_warning_back(signed_in_page, account, context):
    page = signed_in_page(account)
    page.clock.install()
    page.goto("/accounts/devices/")
    # Another tab (or an auto-save) was used a minute ago: 29 minutes are left.
    age_session(context, 60)

    page.clock.run_for((IDLE - WARN + 1) * 1000)

    expect(warning_heading(page)).to_be_hidden()


def session_of(context):
    key = next(c["value"] for c in context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    return SessionStore(session_key=key)


def advance(page, context, seconds):
    """``seconds`` pass for the portal (the session's last activity recedes as far) and for the
    page (its clock runs as far), together."""
    session = session_of(context)
    session[LAST_SEEN_KEY] -= seconds
    session.save()
    page.clock.run_for(seconds * 1000)


def countdown(page):
    return page.locator("[data-idle-countdown]")


def test_the_countdown_ends_when_the_portal_ends_the_session_before_and_after_stay_signed_in(
    signed_in_page, account, context
):
    page = signed_in_page(account)
    page.clock.install()
    # Activity was noted 45 s ago, and is noted at most once a minute: this page view is not
    # (a busy machine has 15 s to open it), so the portal ends the session 29 min 15 s from
    # now, not 30 minutes.
    age_session(context, 45)
    page.goto("/accounts/devices/")
    assert last_seen(context) <= int(time.time()) - 45

    advance(page, context, IDLE - 45 - WARN - 2)
    expect(warning_heading(page)).to_be_hidden()
    advance(page, context, 3)
    expect(warning_heading(page)).to_be_visible()
    expect(countdown(page)).to_have_text(re.compile(r"^1 minute 5\d seconds$"))

    page.get_by_role("button", name="Stay signed in").click()
    expect(warning_heading(page)).to_be_hidden()
    # A full idle limit from the click: the warning opens WARN seconds before its end ...
    advance(page, context, IDLE - WARN - 2)
    expect(warning_heading(page)).to_be_hidden()
    advance(page, context, 3)
    expect(warning_heading(page)).to_be_visible()
    expect(countdown(page)).to_have_text(re.compile(r"^1 minute 5\d seconds$"))
    # ... and counts down to it: a moment before 0 the portal still holds the session ...
    advance(page, context, WARN - 3)
    expect(countdown(page)).to_have_text(re.compile(r"^[1-3] seconds?$"))
    assert not two_factor.idle_expired(session_of(context))
    assert page.url.endswith("/accounts/devices/")
    # ... and at 0 it has ended it, saying why.
    advance(page, context, 4)
    page.wait_for_url("**/accounts/login/**")
    expect(page.get_by_text("You were signed out after 30 minutes without activity.")).to_be_visible()


def test_in_real_time_with_a_short_idle_limit_the_sign_out_comes_as_the_countdown_ends(
    signed_in_page, account, context, settings
):
    # 12 seconds idle, the warning for the last 8; the store keeps the session a minute longer,
    # as qpp_registration.settings does.
    settings.SESSION_IDLE_MINUTES = 0.2
    settings.SESSION_IDLE_WARNING_SECONDS = 8
    settings.SESSION_COOKIE_AGE = 12 + 60
    page = signed_in_page(account)
    page.goto("/accounts/devices/")

    expect(warning_heading(page)).to_be_visible(timeout=10_000)
    expect(countdown(page)).to_have_text(re.compile(r"^[78] seconds$"))
    page.get_by_role("button", name="Stay signed in").click()
    expect(warning_heading(page)).to_be_hidden()
    end = last_seen(context) + 12  # when the portal ends the session now
    expect(warning_heading(page)).to_be_visible(timeout=10_000)
    shown = countdown(page).inner_text()
    seconds_shown = int(shown.split()[0])
    assert abs(time.time() + seconds_shown - end) <= 1.5, (shown, end - time.time())

    page.wait_for_url("**/accounts/login/**", timeout=15_000)

    assert end <= time.time() <= end + 2
    expect(page.get_by_text("You were signed out after 0.2 minutes without activity.")).to_be_visible()


def test_recovery_code_sign_in_and_new_codes_screens(signed_in_page, page, account):
    codes = recovery.recovery_codes_generate(user=account)
    page.goto("/accounts/login/")
    page.get_by_label("User ID").fill("dana-so")
    page.locator("#id_password").fill("correct-horse-battery-staple-42")
    page.locator("label[for=id_statement_of_truth]").click()
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_url("**/accounts/two-factor/**")
    page.get_by_label("Select device").select_option(label="Use a recovery code")
    page.get_by_label("One-time code").fill(codes[0])
    assert_accessible(page)
    screenshot(page, "two-factor-verify-recovery-code")
    page.get_by_role("button", name="Verify").last.click()
    page.wait_for_url("**/accounts/two-factor/setup/**")
    expect(page.get_by_text("You signed in with a recovery code")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "two-factor-setup-after-recovery-code")

    page.goto("/accounts/devices/")
    expect(page.get_by_text("9 unused recovery codes")).to_be_visible()
    page.get_by_role("link", name="Make New Recovery Codes").click()
    expect(page.get_by_role("heading", name="Make new recovery codes")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "recovery-codes-new")
    page.get_by_role("button", name="Make New Recovery Codes").click()
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(10)
    assert_accessible(page)


def test_enrolment_link_that_no_longer_works_is_explained(page, transactional_db):
    confirm_email(UserFactory(username="new-sam", first_name="Sam", last_name="New", email="sam@example.com"))
    page.goto("/accounts/login/")
    page.get_by_label("User ID").fill("new-sam")
    page.locator("#id_password").fill("correct-horse-battery-staple-42")
    page.locator("label[for=id_statement_of_truth]").click()
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_url("**/accounts/two-factor/setup/confirm-email/**")

    response = page.goto("/accounts/two-factor/setup/link/not-a-real-key/")

    assert response.status == 410
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "two-factor-enrolment-link-expired")
    page.get_by_role("link", name="Send a New Link").click()
    expect(page.get_by_role("heading", name="Confirm it is your account")).to_be_visible()


def make_new_recovery_codes(page):
    page.goto("/accounts/recovery-codes/")
    page.get_by_role("button", name="Make New Recovery Codes").click()
    codes = page.get_by_role("list", name="Recovery codes").locator("code")
    expect(codes).to_have_count(10)
    return codes.all_inner_texts()


def test_new_recovery_codes_can_be_downloaded_printed_and_copied(signed_in_page, account, context):
    context.grant_permissions(["clipboard-write"])  # as a visible, focused browser tab has it
    page = signed_in_page(account)
    codes = make_new_recovery_codes(page)
    status = page.locator("[data-recovery-codes-status]")
    expect(status).to_have_attribute("role", "status")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download (.txt)").click()
    assert download.value.suggested_filename == "qpp-registration-recovery-codes.txt"
    assert re.findall(r"[a-z2-9]{5}-[a-z2-9]{5}", Path(download.value.path()).read_text()) == codes

    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.get_by_role("button", name="Print", exact=True).click()
    expect(status).to_have_text("Your browser’s print window was opened for the codes.")
    assert page.evaluate("window.printed") == 1

    # What reaches the clipboard (the portal's Permissions-Policy lets no page read it back).
    page.evaluate("""() => {
        const write = navigator.clipboard.writeText.bind(navigator.clipboard);
        window.copied = [];
        navigator.clipboard.writeText = (text) => { window.copied.push(text); return write(text); };
    }""")
    page.get_by_role("button", name="Copy", exact=True).click()
    expect(status).to_have_text(
        "The 10 codes were copied. Paste them somewhere safe, away from your devices."
    )
    assert page.evaluate("window.copied") == ["\n".join(codes) + "\n"]
    assert_accessible(page)
    screenshot(page, "recovery-codes-copied")

    page.evaluate("() => { navigator.clipboard.writeText = () => Promise.reject(new Error('refused')); }")
    page.get_by_role("button", name="Copy", exact=True).click()
    expect(status).to_have_text(
        "Your browser did not let the page copy the codes. Select and copy them yourself, or download them."
    )


def test_without_javascript_new_recovery_codes_offer_the_download_alone(
    signed_in_page, account, browser, live_server, context
):
    signed_in_page(account)
    without_js = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    without_js.add_cookies(context.cookies())
    page = without_js.new_page()
    codes = make_new_recovery_codes(page)

    expect(page.get_by_role("button", name="Print", exact=True)).to_be_hidden()
    expect(page.get_by_role("button", name="Copy", exact=True)).to_be_hidden()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download (.txt)").click()
    assert re.findall(r"[a-z2-9]{5}-[a-z2-9]{5}", Path(download.value.path()).read_text()) == codes
    screenshot(page, "recovery-codes-without-javascript")
    without_js.close()
