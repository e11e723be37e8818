"""Passkeys in Chromium, with the DevTools virtual authenticator.

WebAuthn needs a secure context and a domain as relying-party id: pytest-django's
live server is http://localhost:PORT, which is both (127.0.0.1 would not be).
"""

import re

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from accounts.models import TwoFactorDevice
from tests.accounts.conftest import confirm_email
from tests.browser.helpers import assert_accessible, screenshot
from tests.factories import TEST_PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _served_from_localhost(live_server):
    assert live_server.url.startswith("http://localhost:"), "WebAuthn needs localhost, not an IP address"


@pytest.fixture
def authenticator(page, context):
    """A platform authenticator with a fingerprint already enrolled, as on a laptop."""
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    found = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    yield cdp, found["authenticatorId"]


def new_account(username, email):
    return confirm_email(UserFactory(username=username, first_name="Dana", last_name="Sullivan", email=email))


def sign_in_with_password(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("User ID").fill(username)
    page.locator("#id_password").fill(TEST_PASSWORD)
    page.locator("label[for=id_statement_of_truth]").click()
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_load_state()


def sign_out(page):
    page.get_by_role("banner").get_by_role("button", name="Sign Out").click()
    page.wait_for_url("**/accounts/login/")


def create_passkey(page, name):
    page.get_by_label("Device name").fill(name)
    page.get_by_role("button", name="Create Passkey").click()


def test_first_device_is_a_passkey_and_the_next_sign_in_needs_no_code(page, authenticator, transactional_db):
    user = new_account("dana-so", "dana@example.com")
    cdp, authenticator_id = authenticator
    mail.outbox.clear()

    sign_in_with_password(page, "dana-so")
    page.get_by_role("button", name="Send Link").click()
    expect(page.get_by_text("We sent a link")).to_be_visible()
    page.goto(re.search(r"https?://\S+/setup/link/\S+/", mail.outbox[-1].body).group(0))
    page.wait_for_url("**/accounts/two-factor/setup/")
    passkey_choice = page.locator("label", has_text="Passkey (recommended)")
    expect(passkey_choice).to_be_visible()
    # The recommended choice comes first.
    assert page.locator(".usa-radio__label").first.inner_text().startswith("Passkey (recommended)")
    passkey_choice.click()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/accounts/two-factor/setup/passkey/**")
    expect(page.get_by_role("heading", name="Set up a passkey")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "two-factor-setup-passkey")

    create_passkey(page, "Work laptop")
    page.wait_for_url("**/accounts/recovery-codes/show/")
    device = TwoFactorDevice.objects.get(user=user)
    assert (device.kind, device.name) == (TwoFactorDevice.Kind.PASSKEY, "Work laptop")
    assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]) == 1
    page.get_by_role("link", name="I Saved My Codes, Continue").click()
    sign_out(page)

    sign_in_with_password(page, "dana-so")
    page.wait_for_url("**/accounts/two-factor/**")
    expect(page.get_by_label("Select device")).to_have_value(str(device.pk))
    expect(page.get_by_label("One-time code")).to_be_hidden()
    assert_accessible(page)
    screenshot(page, "two-factor-verify-passkey")
    page.get_by_role("button", name="Verify").last.click()
    page.wait_for_url(re.compile(r".*/$"))
    expect(page.get_by_text("You are signed in.")).to_be_visible()
    expect(page.get_by_role("navigation", name="Portal navigation")).to_be_visible()
    device.refresh_from_db()
    assert device.last_used_at is not None

    page.goto("/accounts/devices/")
    expect(page.get_by_role("cell", name="Needs no code")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "account-devices-with-passkey")


def test_a_passkey_registered_for_one_account_cannot_sign_in_to_another(
    signed_in_page, page, authenticator, transactional_db
):
    owner = new_account("dana-so", "dana@example.com")
    other = new_account("sam-other", "sam@example.com")
    for account, name in [(owner, "Dana's laptop"), (other, "Sam's laptop")]:
        signed_in_page(account)
        page.goto("/accounts/two-factor/setup/passkey/")
        create_passkey(page, name)
        page.wait_for_url("**/accounts/devices/")
        page.context.clear_cookies()
    owners_credential = TwoFactorDevice.objects.get(user=owner).credential_id

    sign_in_with_password(page, "sam-other")
    page.wait_for_url("**/accounts/two-factor/**")
    # Sam's browser answers the challenge with Dana's passkey, which it also holds.
    page.evaluate(
        """async (credentialId) => {
            const json = JSON.parse(document.getElementById("passkey-authentication-options").textContent);
            json.allowCredentials = [{type: "public-key", id: credentialId}];
            const credential = await navigator.credentials.get(
                {publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(json)});
            const form = document.querySelector("form[data-passkey-verify]");
            form.querySelector("input[name=credential]").value = JSON.stringify(credential.toJSON());
            const action = document.createElement("input");
            Object.assign(action, {type: "hidden", name: "action", value: "verify"});
            form.appendChild(action);
            form.submit();
        }""",
        owners_credential,
    )
    page.wait_for_load_state()

    expect(page.get_by_text("That passkey was not accepted").first).to_be_visible()
    expect(page.get_by_role("navigation", name="Portal navigation")).to_have_count(0)
    assert_accessible(page)


def open_setup_page_at(page, context, live_server, origin):
    """The passkey set-up page of the signed-in user, opened at ``origin`` (another address of
    the live server) with the session cookie the browser holds for localhost."""
    session = next(c for c in context.cookies(live_server.url) if c["name"] == settings.SESSION_COOKIE_NAME)
    context.add_cookies([{"name": session["name"], "value": session["value"], "url": origin}])
    page.goto(f"{origin}/accounts/two-factor/setup/passkey/")
    expect(page.get_by_role("heading", name="Set up a passkey")).to_be_visible()


def test_opened_at_127_0_0_1_the_page_says_to_open_localhost_instead_of_offering_a_button_that_fails(
    signed_in_page, page, context, live_server, transactional_db
):
    signed_in_page(new_account("dana-so", "dana@example.com"))
    origin = live_server.url.replace("//localhost:", "//127.0.0.1:")

    open_setup_page_at(page, context, live_server, origin)

    # A secure context for the browser, but an IP address is no relying-party id: create() would fail.
    assert page.evaluate("window.isSecureContext")
    notice = page.get_by_role("region", name="Passkeys cannot be set up at this address")
    expect(notice).to_contain_text("not at a numeric address such as 127.0.0.1")
    localhost_url = f"{live_server.url}/accounts/two-factor/setup/passkey/"
    expect(notice.get_by_role("link", name=localhost_url, exact=True)).to_have_attribute(
        "href", localhost_url
    )
    expect(page.get_by_role("button", name="Create Passkey")).to_have_count(0)
    expect(page.get_by_label("Device name")).to_be_hidden()
    expect(page.get_by_role("link", name="Choose another kind of device")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "two-factor-setup-passkey-at-an-ip-address")


def test_opened_on_a_connection_that_is_not_secure_the_page_says_why(
    signed_in_page, page, context, live_server, transactional_db
):
    signed_in_page(new_account("dana-so", "dana@example.com"))
    origin = "http://portal.example.test"
    # The live server answers at a plain-http name that is not localhost: not a secure context.
    context.route(
        f"{origin}/**",
        lambda route: route.fulfill(
            response=route.fetch(url=route.request.url.replace(origin, live_server.url))
        ),
    )

    open_setup_page_at(page, context, live_server, origin)

    assert not page.evaluate("window.isSecureContext")
    notice = page.get_by_role("region", name="Passkeys cannot be set up at this address")
    expect(notice).to_contain_text("only on a secure connection")
    expect(notice).to_contain_text("http://portal.example.test")
    expect(page.get_by_role("button", name="Create Passkey")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "two-factor-setup-passkey-not-secure")
