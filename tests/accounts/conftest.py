"""Helpers for the sign-in and two-factor tests."""

import re

import pyotp
import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from accounts import sms
from accounts.models import TwoFactorDevice
from tests.factories import TEST_PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _fresh_throttles_and_outboxes(request, settings):
    # Throttles live in the shared cache (the database here); each test starts with none.
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    )
    if uses_db:
        cache.clear()
    settings.QPP_SMS_SENDER = "accounts.sms.OutboxSmsSender"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def confirm_email(user):
    """What following the e-mailed link does: allauth signs in only confirmed addresses."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


@pytest.fixture
def member(db):
    """A signed-up user with a confirmed e-mail address and no device yet."""
    user = UserFactory(username="pat-member", first_name="Pat", last_name="Member", email="pat@example.com")
    return confirm_email(user)


def add_app_device(user, *, name="Phone app"):
    return TwoFactorDevice.objects.create(
        user=user, kind=TwoFactorDevice.Kind.AUTHENTICATOR_APP, name=name, secret=pyotp.random_base32()
    )


def add_email_device(user, *, name="Work e-mail"):
    return TwoFactorDevice.objects.create(
        user=user, kind=TwoFactorDevice.Kind.EMAIL, name=name, destination=user.email
    )


def current_code(device):
    return pyotp.TOTP(device.secret).now()


def submit_password(client, user, *, password=TEST_PASSWORD, agree=True, follow=False):
    data = {"login": user.username, "password": password}
    if agree:
        data["statement_of_truth"] = "on"
    return client.post(reverse("account_login"), data, follow=follow)


def last_emailed_code():
    for message in reversed(mail.outbox):
        found = re.search(r"\b(\d{6})\b", message.body)
        if found:
            return found.group(1)
    raise AssertionError("No one-time code was e-mailed.")


def last_texted_code():
    return re.search(r"\b(\d{6})\b", sms.outbox[-1]["body"]).group(1)


def verify_with(client, device, code, **extra):
    return client.post(
        reverse("two_factor_verify"), {"device": device.pk, "code": code, "action": "verify", **extra}
    )


def messages_of(response):
    """The Django messages shown on (or queued by) the request behind ``response``."""
    from django.contrib.messages import get_messages

    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def enrolment_link_from_outbox():
    """The path of the newest enrolment link e-mailed."""
    for message in reversed(mail.outbox):
        found = re.search(r"https?://[^/\s]+(/accounts/two-factor/setup/link/[^/\s]+/)", message.body)
        if found:
            return found.group(1)
    raise AssertionError("No enrolment link was e-mailed.")


def prove_email(client, django_capture_on_commit_callbacks):
    """What a deviceless account does before setting up a device: Send Link, open it."""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("two_factor_confirm_email"))
    return client.get(enrolment_link_from_outbox())
