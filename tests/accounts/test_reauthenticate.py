"""Password and a code again before security settings change."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import AccountSecurity
from accounts.two_factor import REAUTHENTICATED_AT_KEY
from tests.factories import TEST_PASSWORD

from .conftest import add_app_device, current_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def stale(client, member, sign_in):
    """``member`` signed in with an app device, whose last proof is too old for changes."""
    device = add_app_device(member)
    sign_in(member)
    session = client.session
    session.pop(REAUTHENTICATED_AT_KEY)
    session.save()
    return device


def confirm(client, device, *, password=TEST_PASSWORD, code=None, next_url="/accounts/devices/"):
    return client.post(
        reverse("two_factor_reauthenticate"),
        {
            "password": password,
            "device": device.pk,
            "code": code or current_code(device),
            "action": "verify",
            "next": next_url,
        },
    )


def test_password_and_code_open_the_protected_page(client, stale):
    response = confirm(client, stale, next_url=reverse("account_change_password"))

    assert response.url == reverse("account_change_password")
    assert client.get(reverse("account_change_password")).status_code == 200


def test_wrong_password_is_refused_and_does_not_use_up_the_code(client, stale):
    code = current_code(stale)

    response = confirm(client, stale, password="wrong-password-xyz", code=code)

    assert "Your password or the one-time code is not right." in response.content.decode()
    assert REAUTHENTICATED_AT_KEY not in client.session
    assert AccountSecurity.objects.get(user=stale.user).failed_attempts == 1
    assert confirm(client, stale, code=code).status_code == 302


def test_wrong_code_is_refused(client, stale):
    wrong = f"{(int(current_code(stale)) + 500_000) % 1_000_000:06d}"

    response = confirm(client, stale, code=wrong)

    assert response.status_code == 200
    assert REAUTHENTICATED_AT_KEY not in client.session


def test_changing_the_password_ends_other_sessions_and_emails_the_user(
    client, member, stale, sign_in, django_capture_on_commit_callbacks
):
    other = Client()
    sign_in(member, on=other)
    confirm(client, stale)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_change_password"),
            {
                "oldpassword": TEST_PASSWORD,
                "password1": "a-brand-new-passphrase-77",
                "password2": "a-brand-new-passphrase-77",
            },
        )

    assert response.status_code == 302
    assert client.get(reverse("account_devices")).status_code == 200
    assert other.get(reverse("account_devices")).url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in other.session
    assert mail.outbox[-1].to == [member.email]
    assert "password" in mail.outbox[-1].subject.lower()


def test_email_addresses_page_opens_after_confirming(client, stale):
    confirm(client, stale, next_url=reverse("account_email"))

    response = client.get(reverse("account_email"))

    assert response.status_code == 200
    assert "pat@example.com" in response.content.decode()
