"""Passkeys on the server side; the ceremonies themselves run in tests/browser/test_passkeys.py."""

import json

import pytest
from django.urls import reverse

from accounts.models import TwoFactorDevice
from accounts.two_factor import is_session_verified

from .conftest import add_app_device, prove_email, submit_password

pytestmark = pytest.mark.django_db


@pytest.fixture
def passkey(member):
    return TwoFactorDevice.objects.create(
        user=member,
        kind=TwoFactorDevice.Kind.PASSKEY,
        name="Work laptop",
        credential_id="AAAA",
        public_key=b"k",
    )


def test_setup_page_offers_the_passkey_first_as_the_recommended_choice(
    client, member, django_capture_on_commit_callbacks
):
    submit_password(client, member)
    prove_email(client, django_capture_on_commit_callbacks)

    page = client.get(reverse("two_factor_setup")).content.decode()

    assert page.index("Passkey (recommended)") < page.index("Authenticator app")


def test_passkey_setup_page_carries_options_for_this_site_and_account(
    client, member, django_capture_on_commit_callbacks
):
    submit_password(client, member)
    prove_email(client, django_capture_on_commit_callbacks)

    response = client.get(reverse("two_factor_setup_passkey"), HTTP_HOST="localhost:8000")

    options = response.context["passkey_options"]
    assert options["rp"]["id"] == "localhost"
    assert options["user"]["name"] == "pat-member"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert 'id="passkey-registration-options" type="application/json"' in response.content.decode()


def test_a_missing_or_forged_passkey_saves_no_device(client, member, django_capture_on_commit_callbacks):
    submit_password(client, member)
    prove_email(client, django_capture_on_commit_callbacks)
    client.get(reverse("two_factor_setup_passkey"))

    response = client.post(reverse("two_factor_setup_passkey"), {"name": "Laptop", "credential": ""})
    assert "Your browser did not create a passkey." in response.content.decode()
    response = client.post(
        reverse("two_factor_setup_passkey"), {"name": "Laptop", "credential": json.dumps({"id": "x"})}
    )
    assert "That passkey could not be checked." in response.content.decode()
    assert not TwoFactorDevice.objects.filter(user=member).exists()


def test_passkey_is_in_the_dropdown_and_needs_no_code_but_javascript(client, member, passkey):
    add_app_device(member)
    submit_password(client, member)

    page = client.get(reverse("two_factor_verify")).content.decode()
    assert f'<option value="{passkey.pk}"' in page
    assert "Work laptop (Passkey)" in page
    assert f'data-passkey-devices="{passkey.pk}"' in page

    response = client.post(reverse("two_factor_verify"), {"device": passkey.pk, "action": "verify"})
    assert "Passkeys need JavaScript turned on" in response.content.decode()
    response = client.post(reverse("two_factor_verify"), {"device": passkey.pk, "action": "send"})
    assert "A passkey needs no code" in response.content.decode()
    assert not is_session_verified(client.session)


def test_a_passkey_answer_for_an_unknown_credential_is_refused_and_counted(client, member, passkey):
    submit_password(client, member)
    client.get(reverse("two_factor_verify"))
    forged = json.dumps(
        {"id": "another-accounts-credential", "rawId": "x", "type": "public-key", "response": {}}
    )

    response = client.post(
        reverse("two_factor_verify"), {"device": passkey.pk, "credential": forged, "action": "verify"}
    )

    assert "That passkey was not accepted" in response.content.decode()
    assert "9 more tries" in response.content.decode()
    assert not is_session_verified(client.session)
