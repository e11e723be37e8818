"""Signing in as a Security Official would, in Chromium [2020 §III.1–3, 2023 §III.1–4]:
the Statement of Truth, setting up an authenticator app from the secret on the
page, the device dropdown at the next sign-in, and a re-used code refused."""

import re

import pyotp
import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import TwoFactorDevice
from organizations.models import Role
from tests.accounts.conftest import confirm_email
from tests.browser.helpers import (
    assert_accessible,
    assert_no_horizontal_overflow,
    find_organization_to_connect,
    screenshot,
)
from tests.factories import TEST_PASSWORD, OrganizationFactory, RoleFactory, UserFactory


@pytest.fixture
def security_official_account(transactional_db):
    user = UserFactory(username="dana-so", first_name="Dana", last_name="Sullivan", email="dana@example.com")
    confirm_email(user)
    organization = OrganizationFactory(name="Chesapeake Family Medicine", identifier="123456789")
    RoleFactory(user=user, organization=organization, kind=Role.Kind.SECURITY_OFFICIAL)
    return user


def fill_sign_in(page, *, agree):
    page.goto("/accounts/login/")
    page.get_by_label("User ID").fill("dana-so")
    page.locator("#id_password").fill(TEST_PASSWORD)
    if agree:
        # USWDS draws its own checkbox: a person clicks the label.
        page.locator("label[for=id_statement_of_truth]").click()
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_load_state()


def wrong(code):
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


def sign_out(page):
    page.get_by_role("banner").get_by_role("button", name="Sign Out").click()
    page.wait_for_url("**/accounts/login/")


def test_first_sign_in_needs_the_statement_of_truth_then_sets_up_an_authenticator_app(
    page, security_official_account
):
    fill_sign_in(page, agree=False)
    expect(page.get_by_role("heading", name="Sign In", level=1)).to_be_visible()
    expect(page.get_by_text("Check “Yes, I agree” to accept the Statement of Truth").first).to_be_visible()
    assert page.get_by_label("User ID").input_value() == "dana-so"
    assert_accessible(page)
    screenshot(page, "sign-in-statement-of-truth-missing")

    mail.outbox.clear()
    fill_sign_in(page, agree=True)
    # The password alone sets nothing up: first the link e-mailed to the account's address.
    page.wait_for_url("**/accounts/two-factor/setup/confirm-email/**")
    expect(page.get_by_role("heading", name="Confirm it is your account")).to_be_visible()
    expect(page.get_by_text("d***@example.com").first).to_be_visible()
    expect(page.get_by_role("navigation", name="Portal navigation")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "two-factor-confirm-email")
    page.get_by_role("button", name="Send Link").click()
    expect(page.get_by_text("We sent a link to d***@example.com.")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "two-factor-confirm-email-sent")
    link = re.search(r"https?://\S+/accounts/two-factor/setup/link/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.wait_for_url("**/accounts/two-factor/setup/")
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    expect(page.get_by_role("navigation", name="Portal navigation")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "two-factor-setup-choose-device")

    page.locator("label", has_text="Authenticator app").click()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/accounts/two-factor/setup/app/**")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    secret = page.locator("#totp-secret").get_attribute("data-secret")
    shown = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert shown == secret
    assert_accessible(page)
    screenshot(page, "two-factor-setup-authenticator-app")

    totp = pyotp.TOTP(secret)
    page.get_by_label("One-time code").fill(wrong(totp.now()))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("That code is not right").first).to_be_visible()
    assert not TwoFactorDevice.objects.filter(user=security_official_account).exists()
    assert_accessible(page)
    screenshot(page, "two-factor-setup-wrong-code")

    page.get_by_label("One-time code").fill(totp.now())
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/accounts/recovery-codes/show/")
    expect(page.get_by_text("Two-factor authentication is set up.")).to_be_visible()
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(10)
    assert_accessible(page)
    screenshot(page, "recovery-codes-after-first-device")
    page.get_by_role("link", name="I Saved My Codes, Continue").click()
    page.wait_for_url(re.compile(r".*/$"))
    assert (
        page.get_by_role("navigation", name="Portal navigation")
        .get_by_role("link", name="Manage Access")
        .is_visible()
    )
    assert TwoFactorDevice.objects.get(user=security_official_account).secret == secret
    screenshot(page, "home-after-two-factor-setup")


def test_returning_user_picks_a_device_from_the_dropdown_and_a_reused_code_is_refused(
    page, security_official_account
):
    device = TwoFactorDevice.objects.create(
        user=security_official_account, kind="totp", name="Pixel app", secret=pyotp.random_base32()
    )
    TwoFactorDevice.objects.create(
        user=security_official_account, kind="email", name="Work e-mail", destination="dana@example.com"
    )
    totp = pyotp.TOTP(device.secret)

    fill_sign_in(page, agree=True)
    page.wait_for_url("**/accounts/two-factor/**")
    expect(page.get_by_role("heading", name="Complete the Two-Factor Authentication")).to_be_visible()
    page.get_by_label("Select device").select_option(label="Pixel app (Authenticator app)")
    assert_accessible(page)
    screenshot(page, "two-factor-verify-dropdown")
    code = totp.now()
    page.get_by_label("One-time code").fill(code)
    page.get_by_role("button", name="Verify").last.click()
    page.wait_for_url(re.compile(r".*/$"))
    expect(page.get_by_text("You are signed in.")).to_be_visible()

    sign_out(page)
    fill_sign_in(page, agree=True)
    page.wait_for_url("**/accounts/two-factor/**")
    page.get_by_label("Select device").select_option(label="Pixel app (Authenticator app)")
    page.get_by_label("One-time code").fill(code)
    # Pressing Enter in the code box verifies (it does not send a new code).
    page.get_by_label("One-time code").press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_text("was already used").first).to_be_visible()
    expect(page.get_by_role("navigation", name="Portal navigation")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "two-factor-verify-reused-code")


def test_email_device_send_code_then_verify(page, security_official_account):
    TwoFactorDevice.objects.create(
        user=security_official_account, kind="email", name="Work e-mail", destination="dana@example.com"
    )
    mail.outbox.clear()

    fill_sign_in(page, agree=True)
    page.wait_for_url("**/accounts/two-factor/**")
    page.get_by_role("button", name="Send Code").click()
    page.wait_for_load_state()
    expect(page.get_by_text("We sent a code to d***@example.com")).to_be_visible()
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    page.get_by_label("One-time code").fill(code)
    page.get_by_role("button", name="Verify").last.click()
    page.wait_for_url(re.compile(r".*/$"))

    expect(page.get_by_role("navigation", name="Portal navigation")).to_be_visible()


@pytest.mark.parametrize("width", [1280, 390])
def test_account_pages_are_accessible_and_fit_the_screen(signed_in_page, security_official_account, width):
    TwoFactorDevice.objects.create(
        user=security_official_account, kind="totp", name="Pixel app", secret=pyotp.random_base32()
    )
    page = signed_in_page(security_official_account)
    page.set_viewport_size({"width": width, "height": 900})

    for path, name in [
        ("/accounts/devices/", "account-devices"),
        ("/organizations/", "manage-access"),
        ("/organizations/connect/", "connect-to-an-organization"),
        ("/accounts/two-factor/confirm/", "confirm-it-is-you"),
        ("/accounts/email/", "email-addresses"),
        ("/accounts/password/change/", "change-password"),
    ]:
        page.goto(path)
        assert_accessible(page)
        assert_no_horizontal_overflow(page)
        screenshot(page, f"{name}-{width}")


def test_new_user_requests_the_security_official_role_and_the_official_approves_it(
    signed_in_page, security_official_account
):
    newcomer = UserFactory(username="jordan-new", first_name="Jordan", last_name="Rivera")
    page = signed_in_page(newcomer)

    find_organization_to_connect(
        page, kind="Practice (group) — TIN", identifier="123-45-6789", name="chesapeake family medicine"
    )
    expect(page.get_by_role("heading", name="Chesapeake Family Medicine")).to_be_visible()
    page.locator("label", has_text="Security Official").click()
    assert_accessible(page)
    screenshot(page, "connect-request-a-role")
    page.get_by_role("button", name="Request Access").click()
    expect(page.get_by_text("was sent to the organization’s Security Officials")).to_be_visible()

    page = signed_in_page(security_official_account)
    page.goto("/organizations/")
    expect(page.get_by_role("heading", name="Requests waiting for your approval")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "manage-access-request-to-approve")
    page.get_by_role("link", name=re.compile("^Approve")).click()
    expect(page.get_by_role("heading", name="Approve request", level=1)).to_be_visible()
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_text("Jordan Rivera (jordan-new) now has the Security Official role")).to_be_visible()
    expect(page.get_by_role("cell", name="jordan-new", exact=True)).to_be_visible()
    screenshot(page, "manage-access-after-approval")

    page = signed_in_page(newcomer)
    page.goto("/organizations/")
    expect(page.get_by_role("heading", name="Chesapeake Family Medicine")).to_be_visible()
