"""Register: User ID, first and last name, e-mail verified by a link, password [2020 §II]."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.factories import TEST_PASSWORD

from .conftest import submit_password

pytestmark = pytest.mark.django_db

GOOD = {
    "username": "casey-new",
    "first_name": "Casey",
    "last_name": "Nguyen",
    "email": "casey@example.com",
    "password1": "quiet-harbor-maple-2031",
    "password2": "quiet-harbor-maple-2031",
}


def test_register_page_asks_for_user_id_names_email_and_password(client):
    page = client.get(reverse("account_signup")).content.decode()

    for label in ("User ID", "First name", "Last name", "E-mail address", "Password", "Confirm password"):
        assert label in page
    assert "placeholder" not in page


def test_register_saves_the_names_and_sends_a_confirmation_link_after_commit(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("account_signup"), GOOD)
    assert mail.outbox == []
    for callback in callbacks:
        callback()

    assert response.url == reverse("account_email_verification_sent")
    user = get_user_model().objects.get(username="casey-new")
    assert (user.first_name, user.last_name, user.email) == ("Casey", "Nguyen", "casey@example.com")
    assert mail.outbox[-1].to == ["casey@example.com"]
    assert "/accounts/confirm-email/" in mail.outbox[-1].body
    assert not EmailAddress.objects.get(user=user).verified


def test_sign_in_waits_for_the_confirmed_email(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), GOOD)
    user = get_user_model().objects.get(username="casey-new")

    with django_capture_on_commit_callbacks(execute=True):
        submit_password(client, user, password=GOOD["password1"])
    assert "_auth_user_id" not in client.session

    link = re.search(r"https?://[^/]+(/accounts/confirm-email/\S+/)", mail.outbox[0].body).group(1)
    client.post(link)
    submit_password(client, user, password=GOOD["password1"])
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-1", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("982347109823", "This password is entirely numeric."),
    ],
)
def test_weak_passwords_are_refused_and_the_rest_is_kept(client, password, message):
    response = client.post(reverse("account_signup"), {**GOOD, "password1": password, "password2": password})

    page = response.content.decode()
    assert message in page
    assert 'value="casey-new"' in page
    assert 'value="Casey"' in page
    assert not get_user_model().objects.filter(username="casey-new").exists()


def test_missing_names_are_refused_next_to_the_fields(client):
    response = client.post(reverse("account_signup"), {**GOOD, "first_name": "", "last_name": ""})

    page = response.content.decode()
    assert "Enter your first name." in page
    assert "Enter your last name." in page


def test_a_taken_user_id_is_refused(client, member):
    response = client.post(reverse("account_signup"), {**GOOD, "username": "pat-member"})

    assert "That User ID is taken. Choose another one." in response.content.decode()


def test_password_reset_by_email_ends_every_session(
    client, member, sign_in, django_capture_on_commit_callbacks
):
    from django.test import Client

    other = Client()
    sign_in(member, on=other)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": member.email})
    link = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)
    form_url = client.get(link).url
    client.post(form_url, {"password1": "new-harbor-lantern-2032", "password2": "new-harbor-lantern-2032"})

    assert other.get(reverse("account_devices")).status_code == 302
    assert "_auth_user_id" not in other.session
    assert submit_password(client, member, password=TEST_PASSWORD).status_code == 200
