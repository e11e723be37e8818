"""First sign-in: set up two-factor by adding a verification device [2020 §III.3]."""

import re

import pyotp
import pytest
from django.core import mail
from django.urls import reverse

from accounts import sms
from accounts.models import AccountSecurity, TwoFactorDevice
from accounts.two_factor import PENDING_TOTP_SECRET_KEY, is_session_verified

from .conftest import (
    add_app_device,
    last_emailed_code,
    last_texted_code,
    messages_of,
    prove_email,
    submit_password,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def first_sign_in(client, member, django_capture_on_commit_callbacks):
    """Password given and the e-mailed enrolment link opened: the device setup pages open."""
    submit_password(client, member)
    prove_email(client, django_capture_on_commit_callbacks)
    return member


def secret_on_page(response):
    return re.search(r'data-secret="([A-Z2-7]+)"', response.content.decode()).group(1)


def test_setup_offers_authenticator_app_email_and_text_message(client, first_sign_in):
    page = client.get(reverse("two_factor_setup")).content.decode()

    assert "Authenticator app" in page
    assert "E-mail" in page
    assert "Text message" in page


def test_text_message_is_not_offered_without_a_sender_outside_development(client, first_sign_in, settings):
    settings.QPP_SMS_SENDER = None
    settings.DEBUG = False

    page = client.get(reverse("two_factor_setup")).content.decode()

    assert "Text message" not in page


def test_choosing_a_kind_leads_to_its_setup_page(client, first_sign_in):
    response = client.post(reverse("two_factor_setup"), {"kind": "totp"})

    assert response.url == reverse("two_factor_setup_app")


def test_choosing_nothing_says_what_to_do(client, first_sign_in):
    response = client.post(reverse("two_factor_setup"), {})

    assert "Choose how you want to get your one-time codes." in response.content.decode()


def test_authenticator_setup_shows_qr_code_and_secret_and_keeps_the_secret_until_verified(
    client, first_sign_in
):
    response = client.get(reverse("two_factor_setup_app"))

    page = response.content.decode()
    secret = secret_on_page(response)
    assert 'src="data:image/svg+xml;base64,' in page
    assert client.session[PENDING_TOTP_SECRET_KEY] == secret
    assert not TwoFactorDevice.objects.filter(user=first_sign_in).exists()
    # The same secret is shown again until it is confirmed.
    assert secret_on_page(client.get(reverse("two_factor_setup_app"))) == secret


def test_wrong_first_code_saves_no_device_and_keeps_the_name(client, first_sign_in):
    secret = secret_on_page(client.get(reverse("two_factor_setup_app")))
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 500_000) % 1_000_000:06d}"

    response = client.post(reverse("two_factor_setup_app"), {"name": "My phone", "code": wrong})

    assert not TwoFactorDevice.objects.filter(user=first_sign_in).exists()
    assert not is_session_verified(client.session)
    page = response.content.decode()
    assert "That code is not right" in page
    assert 'value="My phone"' in page
    assert AccountSecurity.objects.get(user=first_sign_in).failed_attempts == 1


def test_right_first_code_saves_the_app_and_shows_recovery_codes_before_home(client, first_sign_in):
    secret = secret_on_page(client.get(reverse("two_factor_setup_app")))

    response = client.post(
        reverse("two_factor_setup_app"), {"name": "My phone", "code": pyotp.TOTP(secret).now()}, follow=True
    )

    device = TwoFactorDevice.objects.get(user=first_sign_in)
    assert device.kind == TwoFactorDevice.Kind.AUTHENTICATOR_APP
    assert device.name == "My phone"
    assert device.secret == secret
    assert device.last_timecode is not None
    assert is_session_verified(client.session)
    assert PENDING_TOTP_SECRET_KEY not in client.session
    # The first device comes with ten recovery codes, shown once, then home.
    assert response.redirect_chain[-1][0] == reverse("account_recovery_codes_show")
    assert "Two-factor authentication is set up." in response.content.decode()
    assert len(re.findall(r"<code>[a-z2-9]{5}-[a-z2-9]{5}</code>", response.content.decode())) == 10
    assert 'href="/"' in response.content.decode()


def test_the_code_that_proved_the_setup_cannot_sign_in_again(client, first_sign_in):
    secret = secret_on_page(client.get(reverse("two_factor_setup_app")))
    code = pyotp.TOTP(secret).now()
    client.post(reverse("two_factor_setup_app"), {"name": "My phone", "code": code})
    client.post(reverse("account_logout"))
    device = TwoFactorDevice.objects.get(user=first_sign_in)

    submit_password(client, first_sign_in)
    client.post(reverse("two_factor_verify"), {"device": device.pk, "code": code, "action": "verify"})

    assert not is_session_verified(client.session)


def test_email_setup_sends_a_code_to_the_confirmed_address_and_saves_the_device(
    client, first_sign_in, django_capture_on_commit_callbacks
):
    url = reverse("two_factor_setup_email")
    assert "pat@example.com" in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"name": "Work e-mail", "action": "send"})
    assert "We sent a code." in messages_of(response)
    assert not TwoFactorDevice.objects.filter(user=first_sign_in).exists()
    assert mail.outbox[-1].to == ["pat@example.com"]

    client.post(url, {"name": "Work e-mail", "code": last_emailed_code(), "action": "verify"})

    device = TwoFactorDevice.objects.get(user=first_sign_in)
    assert (device.kind, device.destination) == (TwoFactorDevice.Kind.EMAIL, "pat@example.com")
    assert is_session_verified(client.session)


def test_text_message_setup_texts_a_code_through_the_configured_sender(
    client, first_sign_in, django_capture_on_commit_callbacks
):
    url = reverse("two_factor_setup_text")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"name": "Cell", "phone": "(410) 555-0123", "action": "send"})

    assert sms.outbox[-1]["to"] == "+14105550123"
    assert "Your QPP one-time code is" in sms.outbox[-1]["body"]

    client.post(
        url, {"name": "Cell", "phone": "(410) 555-0123", "code": last_texted_code(), "action": "verify"}
    )

    device = TwoFactorDevice.objects.get(user=first_sign_in)
    assert (device.kind, device.destination) == (TwoFactorDevice.Kind.TEXT_MESSAGE, "+14105550123")
    assert device.masked_destination == "***-***-0123"
    assert is_session_verified(client.session)


def test_text_message_setup_refuses_a_bad_phone_number_next_to_the_field(client, first_sign_in):
    response = client.post(
        reverse("two_factor_setup_text"), {"name": "Cell", "phone": "555-01", "action": "send"}
    )

    page = response.content.decode()
    assert "Enter a 10-digit U.S. phone number, e.g. 410-555-0100." in page
    assert 'value="555-01"' in page
    assert sms.outbox == []


def test_a_code_sent_to_one_number_does_not_confirm_another(
    client, first_sign_in, django_capture_on_commit_callbacks
):
    url = reverse("two_factor_setup_text")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"name": "Cell", "phone": "410-555-0123", "action": "send"})

    client.post(
        url, {"name": "Cell", "phone": "410-555-0999", "code": last_texted_code(), "action": "verify"}
    )

    assert not TwoFactorDevice.objects.filter(user=first_sign_in).exists()


def test_password_alone_cannot_add_a_device_when_the_user_has_one(client, member):
    """Someone with only the stolen password must not register their own device."""
    add_app_device(member)
    submit_password(client, member)

    for name in (
        "two_factor_setup",
        "two_factor_setup_app",
        "two_factor_setup_email",
        "two_factor_setup_text",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("two_factor_verify"))
    response = client.post(reverse("two_factor_setup_app"), {"name": "Thief", "code": "123456"})
    assert response.url.startswith(reverse("two_factor_verify"))
    assert TwoFactorDevice.objects.filter(user=member).count() == 1


def test_a_verified_user_adds_a_second_device_only_after_confirming_it_is_them(client, member, sign_in):
    add_app_device(member)
    sign_in(member)
    session = client.session
    session.pop("qpp_reauthenticated_at")
    session.save()

    response = client.get(reverse("two_factor_setup_app"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor_reauthenticate"))
