"""Account security in Chromium: the idle warning, recovery codes and the enrolment pages.

The idle warning's own timers run on Playwright's fake clock, and the portal's
clock is moved by ageing the session's last activity, so nothing here waits.
"""

import re
import time

import pyotp
import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from accounts import recovery
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
