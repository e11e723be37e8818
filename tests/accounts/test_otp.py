"""accounts.otp: one-time codes that work once, even when two processes race."""

import threading
from datetime import timedelta

import pyotp
import pytest
from django.db import connection, connections
from django.utils import timezone

from accounts import otp
from accounts.models import OneTimeCode, TwoFactorDevice

from .conftest import add_app_device


def test_code_is_six_random_digits():
    codes = {otp.new_sent_code() for _ in range(50)}

    assert all(len(code) == 6 and code.isdigit() for code in codes)
    assert len(codes) > 40


def test_hash_depends_on_the_user_and_never_contains_the_code():
    first = otp.hash_code("123456", user_id=1)

    assert "123456" not in first
    assert first != otp.hash_code("123456", user_id=2)
    assert first == otp.hash_code("123456", user_id=1)


def test_provisioning_uri_names_the_portal_and_the_user():
    uri = otp.provisioning_uri(secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", username="demo-so")

    assert uri.startswith("otpauth://totp/QPP%20Registration:demo-so?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")


def test_qr_code_is_an_svg_data_uri():
    assert otp.qr_code_data_uri("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP").startswith(
        "data:image/svg+xml;base64,"
    )


@pytest.mark.django_db
def test_totp_timecode_only_moves_forward(member):
    device = add_app_device(member)
    now = timezone.now()
    totp = pyotp.TOTP(device.secret)

    assert otp.accept_totp(device, totp.at(now))
    assert not otp.accept_totp(device, totp.at(now - timedelta(seconds=30)))
    assert not otp.accept_totp(device, totp.at(now))


@pytest.mark.django_db
def test_sent_code_for_setup_is_tied_to_its_destination(member):
    OneTimeCode.objects.create(
        user=member,
        kind=TwoFactorDevice.Kind.EMAIL,
        destination="pat@example.com",
        code_hash=otp.hash_code("654321", user_id=member.pk),
        expires_at=timezone.now() + timedelta(minutes=10),
    )

    assert not otp.accept_sent_code(user=member, kind="email", destination="other@example.com", code="654321")
    assert otp.accept_sent_code(user=member, kind="email", destination="pat@example.com", code="654321")
    assert not otp.accept_sent_code(user=member, kind="email", destination="pat@example.com", code="654321")


def _race(target, count=6):
    """Run ``target`` from ``count`` threads at once on PostgreSQL. SQLite has one
    writer at a time and no row locks, so there the calls run one after another
    and the outcome must be the same."""
    if connection.vendor != "postgresql":
        return [target() for _ in range(count)]
    barrier = threading.Barrier(count)
    results = []

    def run():
        barrier.wait()
        try:
            results.append(target())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_the_same_totp_code_raced_from_several_processes_is_accepted_once(member):
    device = add_app_device(member)
    code = pyotp.TOTP(device.secret).now()

    results = _race(lambda: otp.accept_totp(TwoFactorDevice.objects.get(pk=device.pk), code))

    assert results.count(True) == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_sent_code_raced_from_several_processes_is_accepted_once(member):
    device = TwoFactorDevice.objects.create(user=member, kind="email", name="Mail", destination=member.email)
    OneTimeCode.objects.create(
        user=member,
        device=device,
        kind="email",
        destination=member.email,
        code_hash=otp.hash_code("246810", user_id=member.pk),
        expires_at=timezone.now() + timedelta(minutes=10),
    )

    results = _race(lambda: otp.accept_code(TwoFactorDevice.objects.get(pk=device.pk), "246810"))

    assert results.count(True) == 1
