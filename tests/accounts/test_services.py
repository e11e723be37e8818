"""accounts.services: failure counting, lockout, code sending and device changes."""

import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, connections

from accounts import services, sms
from accounts.models import AccountSecurity, OneTimeCode, TwoFactorDevice

from .conftest import add_app_device, add_email_device


@pytest.mark.django_db
def test_attempt_counts_failures_and_resets_on_success(member):
    services.two_factor_attempt(user=member, check=lambda: False)
    check = services.two_factor_attempt(user=member, check=lambda: False)
    assert (check.accepted, check.attempts_left) == (False, 8)

    assert services.two_factor_attempt(user=member, check=lambda: True).accepted
    assert AccountSecurity.objects.get(user=member).failed_attempts == 0


@pytest.mark.django_db
def test_while_locked_the_check_is_not_even_run(member):
    for _ in range(10):
        services.two_factor_attempt(user=member, check=lambda: False)
    ran = []

    check = services.two_factor_attempt(user=member, check=lambda: ran.append(1) or True)

    assert check.locked and not check.accepted
    assert ran == []


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_guesses_are_all_counted(member):
    """Eight processes guessing at once each count (run one after another on SQLite)."""
    AccountSecurity.objects.get_or_create(user=member)
    if connection.vendor != "postgresql":
        for _ in range(8):
            services.two_factor_attempt(user=member, check=lambda: False)
        assert AccountSecurity.objects.get(user=member).failed_attempts == 8
        return
    barrier = threading.Barrier(8)

    def guess():
        barrier.wait()
        try:
            services.two_factor_attempt(user=member, check=lambda: False)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert AccountSecurity.objects.get(user=member).failed_attempts == 8


@pytest.mark.django_db
def test_send_refuses_an_authenticator_app_and_unavailable_text_messages(member, settings):
    with pytest.raises(services.CodeNotSent, match="authenticator app makes its own codes"):
        services.one_time_code_send(user=member, kind="totp", destination="")
    settings.QPP_SMS_SENDER = None
    settings.DEBUG = False
    with pytest.raises(services.CodeNotSent, match="Text messages are not available"):
        services.one_time_code_send(user=member, kind="sms", destination="+14105550100")
    assert not OneTimeCode.objects.exists()


@pytest.mark.django_db
def test_text_message_leaves_only_after_commit(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.one_time_code_send(user=member, kind="sms", destination="+14105550100")
    assert sms.outbox == []

    for callback in callbacks:
        callback()
    assert sms.outbox[-1]["to"] == "+14105550100"


@pytest.mark.django_db
def test_device_create_refuses_a_duplicate_name(member):
    add_app_device(member, name="Phone")

    with pytest.raises(ValidationError, match="already have a device with this name"):
        services.two_factor_device_create(
            user=member, kind="email", name="Phone", destination=member.email, by=member
        )


@pytest.mark.django_db
def test_device_changes_are_in_history_with_the_acting_user(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        device, _ = services.two_factor_device_create(
            user=member, kind="email", name="Mail", destination=member.email, by=member
        )
    add_app_device(member)
    services.two_factor_device_rename(device=device, name="Inbox", by=member)

    history = list(device.history.order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert {h.history_user for h in history} == {member}
    assert not hasattr(history[0], "secret")
    assert mail.outbox[-1].subject == "QPP Registration: a verification device was added"


@pytest.mark.django_db
def test_remove_refuses_the_last_device_and_rotates_the_stamp_otherwise(member):
    first = add_email_device(member)
    with pytest.raises(ValidationError, match="only verification device"):
        services.two_factor_device_remove(device=first, by=member)
    add_app_device(member)
    before = services.security_stamp_of(member)

    after = services.two_factor_device_remove(device=first, by=member)

    assert after != before
    assert list(TwoFactorDevice.objects.filter(user=member).values_list("kind", flat=True)) == ["totp"]


@pytest.mark.django_db
def test_unlock_clears_the_lock(member, staff_reviewer):
    for _ in range(10):
        services.two_factor_attempt(user=member, check=lambda: False)
    assert services.lock_status(member) is not None

    services.two_factor_unlock(user=member, by=staff_reviewer)

    assert services.lock_status(member) is None
