"""Security e-mails to the account's own address for every change an owner must hear of."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from .conftest import add_app_device

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-2026"


def test_password_change_e_mails_the_account(client, member, sign_in, django_capture_on_commit_callbacks):
    add_app_device(member)
    sign_in(member)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_change_password"),
            {
                "oldpassword": "correct-horse-battery-staple-42",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
        )

    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert [message.to for message in mail.outbox] == [["pat@example.com"]]
    assert "password" in mail.outbox[0].subject.lower()


def test_e_mail_address_change_e_mails_the_old_and_the_new_address(
    client, member, sign_in, django_capture_on_commit_callbacks
):
    add_app_device(member)
    EmailAddress.objects.create(user=member, email="pat.new@example.com", verified=True, primary=False)
    sign_in(member)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_email"), {"email": "pat.new@example.com", "action_primary": ""})

    member.refresh_from_db()
    assert member.email == "pat.new@example.com"
    to_old = [message for message in mail.outbox if message.to == ["pat@example.com"]]
    to_new = [message for message in mail.outbox if message.to == ["pat.new@example.com"]]
    assert len(to_old) == 1
    assert "pat.new@example.com" in to_old[0].body
    assert len(to_new) == 1
    assert "changed from\npat@example.com to pat.new@example.com" in to_new[0].body
