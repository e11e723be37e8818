"""Every sign-in: device dropdown, Send Code, code, Verify [2020 §III.3, 2023 §III.4]."""

import logging
import re
from datetime import timedelta

import pyotp
import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountSecurity, TwoFactorDevice
from accounts.two_factor import is_session_verified

from .conftest import (
    add_app_device,
    add_email_device,
    current_code,
    last_emailed_code,
    messages_of,
    submit_password,
    verify_with,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def half_signed_in(client, member):
    """``member`` with an authenticator app, past the password, before the code."""
    device = add_app_device(member)
    submit_password(client, member)
    return device


def test_right_authenticator_code_lands_on_home(client, half_signed_in):
    response = verify_with(client, half_signed_in, current_code(half_signed_in))

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert is_session_verified(client.session)
    assert client.get(reverse("account_devices")).status_code == 200


def test_code_with_spaces_is_accepted(client, half_signed_in):
    code = current_code(half_signed_in)

    verify_with(client, half_signed_in, f"{code[:3]} {code[3:]}")

    assert is_session_verified(client.session)


def test_wrong_code_is_refused_with_a_message_next_to_the_code(client, half_signed_in):
    right = current_code(half_signed_in)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    response = verify_with(client, half_signed_in, wrong)

    assert response.status_code == 200
    assert not is_session_verified(client.session)
    page = response.content.decode()
    assert "That code is not right, has expired or was already used." in page
    assert "9 more tries before two-factor sign-in locks" in page


def test_code_of_the_previous_and_next_time_step_is_accepted(client, half_signed_in):
    totp = pyotp.TOTP(half_signed_in.secret)
    previous_step = totp.at(timezone.now() - timedelta(seconds=30))

    verify_with(client, half_signed_in, previous_step)

    assert is_session_verified(client.session)


def test_code_two_steps_old_is_refused(client, half_signed_in):
    now = timezone.now()
    totp = pyotp.TOTP(half_signed_in.secret)
    with time_machine.travel(now, tick=False):
        stale = totp.at(now - timedelta(seconds=90))
        live = {totp.at(now + timedelta(seconds=offset)) for offset in (-30, 0, 30)}
        assert stale not in live  # the window is ±1 step, and this code is three steps old

        verify_with(client, half_signed_in, stale)

    assert not is_session_verified(client.session)


def test_reused_authenticator_code_is_refused_at_the_next_sign_in(client, member, half_signed_in):
    with time_machine.travel(timezone.now(), tick=False):
        code = current_code(half_signed_in)
        verify_with(client, half_signed_in, code)
        assert is_session_verified(client.session)
        client.post(reverse("account_logout"))

        submit_password(client, member)
        response = verify_with(client, half_signed_in, code)

    assert not is_session_verified(client.session)
    assert "was already used" in response.content.decode()


def test_the_next_authenticator_code_works_after_a_used_one(client, member, half_signed_in):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        verify_with(client, half_signed_in, current_code(half_signed_in))
        client.post(reverse("account_logout"))
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        submit_password(client, member)
        verify_with(client, half_signed_in, current_code(half_signed_in))

        assert is_session_verified(client.session)


def test_session_key_changes_when_two_factor_passes(client, half_signed_in):
    before = client.session.session_key

    verify_with(client, half_signed_in, current_code(half_signed_in))

    assert client.session.session_key != before
    assert is_session_verified(client.session)


def test_verify_returns_to_the_page_first_asked_for(client, half_signed_in):
    response = client.get(reverse("manage_access"))
    assert response.status_code == 302
    assert response.url == f"{reverse('two_factor_verify')}?next=%2Forganizations%2F"

    response = verify_with(client, half_signed_in, current_code(half_signed_in), next="/organizations/")

    assert response.url == "/organizations/"


def test_verify_never_redirects_to_another_site(client, half_signed_in):
    response = verify_with(client, half_signed_in, current_code(half_signed_in), next="https://evil.example/")

    assert response.url == reverse("home")


def test_email_device_send_code_then_verify_signs_in(client, member, django_capture_on_commit_callbacks):
    device = add_email_device(member)
    submit_password(client, member)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("two_factor_verify"), {"device": device.pk, "action": "send"}, follow=True
        )

    assert "We sent a code to p***@example.com. It expires in 10 minutes." in messages_of(response)
    assert mail.outbox[-1].to == ["pat@example.com"]
    assert mail.outbox[-1].subject == "Your QPP Registration one-time code"
    verify_with(client, device, last_emailed_code())
    assert is_session_verified(client.session)


def test_sent_code_is_stored_hashed(client, member, django_capture_on_commit_callbacks):
    from accounts.models import OneTimeCode

    device = add_email_device(member)
    submit_password(client, member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("two_factor_verify"), {"device": device.pk, "action": "send"})

    stored = OneTimeCode.objects.get(device=device)
    assert last_emailed_code() not in stored.code_hash
    assert len(stored.code_hash) == 64


def test_sent_code_works_only_once(client, member, django_capture_on_commit_callbacks):
    device = add_email_device(member)
    submit_password(client, member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("two_factor_verify"), {"device": device.pk, "action": "send"})
    code = last_emailed_code()
    verify_with(client, device, code)
    client.post(reverse("account_logout"))

    submit_password(client, member)
    response = verify_with(client, device, code)

    assert not is_session_verified(client.session)
    assert "was already used" in response.content.decode()


def test_sent_code_expires_after_ten_minutes(client, member, django_capture_on_commit_callbacks):
    device = add_email_device(member)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        submit_password(client, member)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("two_factor_verify"), {"device": device.pk, "action": "send"})
    with time_machine.travel(start + timedelta(minutes=10, seconds=1), tick=False):
        submit_password(client, member)
        response = verify_with(client, device, last_emailed_code())

    assert not is_session_verified(client.session)
    assert "has expired" in response.content.decode()


def test_a_new_code_replaces_the_one_sent_before(client, member, django_capture_on_commit_callbacks):
    device = add_email_device(member)
    submit_password(client, member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("two_factor_verify"), {"device": device.pk, "action": "send"})
    first = last_emailed_code()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("two_factor_verify"), {"device": device.pk, "action": "send"})
    second = last_emailed_code()

    verify_with(client, device, first)
    assert not is_session_verified(client.session)
    verify_with(client, device, second)
    assert is_session_verified(client.session)


def test_send_code_is_limited_to_five_codes_in_fifteen_minutes(
    client, member, django_capture_on_commit_callbacks
):
    device = add_email_device(member)
    submit_password(client, member)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            client.post(reverse("two_factor_verify"), {"device": device.pk, "action": "send"})

        response = client.post(reverse("two_factor_verify"), {"device": device.pk, "action": "send"})

    assert len(mail.outbox) == 5
    assert "We have sent several codes in the last few minutes." in response.content.decode()


def test_send_code_for_an_authenticator_app_explains_there_is_nothing_to_send(client, half_signed_in):
    response = client.post(reverse("two_factor_verify"), {"device": half_signed_in.pk, "action": "send"})

    assert "An authenticator app makes its own codes" in response.content.decode()
    assert len(mail.outbox) == 0


def test_another_users_device_cannot_be_chosen(client, member, half_signed_in):
    from tests.factories import UserFactory

    stranger_device = add_app_device(UserFactory(username="stranger"))

    response = verify_with(client, stranger_device, current_code(stranger_device))

    assert not is_session_verified(client.session)
    assert "Choose one of your devices." in response.content.decode()


def wrong_code_for(device):
    return f"{(int(current_code(device)) + 500_000) % 1_000_000:06d}"


def test_ten_wrong_codes_lock_two_factor_with_a_message_and_an_email(
    client, member, half_signed_in, django_capture_on_commit_callbacks, caplog
):
    with caplog.at_level(logging.WARNING, logger="qpp.security"):
        for _ in range(9):
            verify_with(client, half_signed_in, wrong_code_for(half_signed_in))
        with django_capture_on_commit_callbacks(execute=True):
            response = verify_with(client, half_signed_in, wrong_code_for(half_signed_in))

    page = response.content.decode()
    assert re.search(r"two-factor sign-in is locked until \d{1,2}:\d{2} [ap]\.m\. ET\.", page)
    security = AccountSecurity.objects.get(user=member)
    assert security.locked_until > timezone.now() + timedelta(minutes=14)
    assert mail.outbox[-1].to == ["pat@example.com"]
    assert mail.outbox[-1].subject == "QPP Registration: two-factor sign-in locked after wrong codes"
    assert any("two-factor locked user=pat-member" in r.getMessage() for r in caplog.records)


def test_right_code_is_refused_while_locked(client, member, half_signed_in):
    for _ in range(10):
        verify_with(client, half_signed_in, wrong_code_for(half_signed_in))

    response = verify_with(client, half_signed_in, current_code(half_signed_in))

    assert not is_session_verified(client.session)
    assert "two-factor sign-in is locked until" in response.content.decode()
    # The refused right code was not used up by the lock.
    assert TwoFactorDevice.objects.get(pk=half_signed_in.pk).last_timecode is None


def test_lock_holds_for_a_new_session_too(client, member, half_signed_in):
    for _ in range(10):
        verify_with(client, half_signed_in, wrong_code_for(half_signed_in))
    client.post(reverse("account_logout"))

    submit_password(client, member)
    page = client.get(reverse("two_factor_verify")).content.decode()

    assert "Two-factor sign-in is locked" in page


def test_lock_ends_after_fifteen_minutes_and_a_right_code_then_works(client, member, half_signed_in):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(10):
            verify_with(client, half_signed_in, wrong_code_for(half_signed_in))
    with time_machine.travel(start + timedelta(minutes=15, seconds=5), tick=False):
        submit_password(client, member)
        verify_with(client, half_signed_in, current_code(half_signed_in))

        assert is_session_verified(client.session)
    assert AccountSecurity.objects.get(user=member).failed_attempts == 0


def test_a_right_code_resets_the_count_of_wrong_ones(client, member, half_signed_in):
    for _ in range(9):
        verify_with(client, half_signed_in, wrong_code_for(half_signed_in))

    verify_with(client, half_signed_in, current_code(half_signed_in))

    assert AccountSecurity.objects.get(user=member).failed_attempts == 0
