"""accounts.middleware: session lifetimes, sessions ended elsewhere, two-factor first."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.services import security_stamp_rotate
from accounts.two_factor import LAST_SEEN_KEY

from .conftest import add_app_device, current_code, messages_of, submit_password, verify_with

pytestmark = pytest.mark.django_db


def test_sessions_expire_after_thirty_idle_minutes():
    assert settings.SESSION_IDLE_MINUTES == 30
    # The store keeps a session a minute longer, for the idle limit to end it saying why.
    assert settings.SESSION_COOKIE_AGE == 31 * 60


def test_reading_pages_writes_nothing_but_the_activity_note_once_a_minute(client, member, sign_in):
    # Every write on the embedded SQLite waits for the others [issue 25]: a page that changes
    # nothing saves no session, and activity is noted at most once a minute.
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(member)
        assert client.get(reverse("account_devices")).status_code == 200
        seen = client.session[LAST_SEEN_KEY]
    with time_machine.travel(start + timedelta(seconds=58), tick=False):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("account_devices"))
        writes = [q["sql"] for q in queries if q["sql"].lstrip().split()[0].upper() in WRITES]
        assert response.status_code == 200
        assert writes == []
        assert settings.SESSION_COOKIE_NAME not in response.cookies
        assert client.session[LAST_SEEN_KEY] == seen
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        response = client.get(reverse("account_devices"))
        assert settings.SESSION_COOKIE_NAME in response.cookies  # saved, with a fresh expiry
        assert client.session[LAST_SEEN_KEY] == seen + 61


WRITES = {"INSERT", "UPDATE", "DELETE", "REPLACE"}


def test_idle_session_is_gone_after_thirty_minutes(client, member, sign_in):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(member)
        assert client.get(reverse("account_devices")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get(reverse("account_devices")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=29 + 31), tick=False):
        response = client.get(reverse("account_devices"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_idle_limit_is_checked_by_the_portal_whatever_the_session_store(
    client, member, sign_in, settings
):
    # A cache (Redis) keeps its own clock; the portal's own check must not depend on it.
    # Here the store would keep the session 30 minutes, the portal's limit is 10.
    settings.SESSION_IDLE_MINUTES = 10
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(member)
    with time_machine.travel(start + timedelta(minutes=9), tick=False):
        assert client.get(reverse("account_devices")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=9 + 11), tick=False):
        response = client.get(reverse("account_devices"), follow=True)

    assert response.redirect_chain[0][0] == reverse("account_login")
    assert "signed out after 10 minutes without activity" in messages_of(response)
    assert "_auth_user_id" not in client.session


def test_session_ends_twelve_hours_after_sign_in_however_active(client, member, sign_in):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(member)
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("account_devices")).status_code == 200
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        response = client.get(reverse("account_devices"), follow=True)

    assert response.redirect_chain[0][0] == reverse("account_login")
    assert "12 hours passed since you signed in" in messages_of(response)
    assert "_auth_user_id" not in client.session


def test_absolute_and_idle_limits_come_from_the_environment(monkeypatch):
    import importlib

    from qpp_registration.settings import base

    monkeypatch.setenv("SESSION_IDLE_MINUTES", "15")
    monkeypatch.setenv("SESSION_ABSOLUTE_HOURS", "8")
    try:
        reloaded = importlib.reload(base)
        assert reloaded.SESSION_IDLE_MINUTES == 15
        assert reloaded.SESSION_COOKIE_AGE == 16 * 60
        assert reloaded.SESSION_ABSOLUTE_HOURS == 8
    finally:
        monkeypatch.undo()
        importlib.reload(base)


def test_half_signed_in_session_expires_after_five_minutes(client, member):
    add_app_device(member)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        submit_password(client, member)
    with time_machine.travel(start + timedelta(minutes=5, seconds=1), tick=False):
        response = client.get(reverse("two_factor_verify"), follow=True)

    assert "_auth_user_id" not in client.session
    assert "Your sign-in timed out" in messages_of(response)


def test_session_ends_when_the_security_stamp_changes_elsewhere(client, member, sign_in):
    sign_in(member)
    assert client.get(reverse("account_devices")).status_code == 200

    security_stamp_rotate(user=member)

    response = client.get(reverse("account_devices"), follow=True)
    assert "_auth_user_id" not in client.session
    assert "your password or a verification device changed" in messages_of(response)


def test_cache_sessions_are_ended_the_same_way(member, sign_in, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    other = Client()
    sign_in(member, on=other)
    assert other.get(reverse("account_devices")).status_code == 200

    security_stamp_rotate(user=member)

    assert other.get(reverse("account_devices")).status_code == 302


def test_half_signed_in_user_reaches_only_the_two_factor_pages(client, member):
    add_app_device(member)
    submit_password(client, member)

    for url in (reverse("home"), reverse("manage_access"), reverse("account_devices"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("two_factor_verify")), url
    assert client.get(reverse("two_factor_verify")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_navigation_shows_only_after_two_factor(client, member):
    device = add_app_device(member)
    submit_password(client, member)
    before = client.get(reverse("two_factor_verify"))
    verify_with(client, device, current_code(device))
    after = client.get(reverse("account_devices"))

    assert before.wsgi_request.two_factor_verified is False
    assert after.wsgi_request.two_factor_verified is True
    assert reverse("manage_access") not in before.content.decode()
    assert reverse("manage_access") in after.content.decode()


def test_production_session_cookies_are_secure_httponly_and_samesite(monkeypatch):
    import importlib
    import sys

    monkeypatch.setenv("SECRET_KEY", "production-test-key-" + "x" * 40)
    sys.modules.pop("qpp_registration.settings.production", None)
    production = importlib.import_module("qpp_registration.settings.production")
    sys.modules.pop("qpp_registration.settings.production", None)

    assert production.SESSION_COOKIE_SECURE is True
    assert production.SESSION_COOKIE_HTTPONLY is True
    assert production.SESSION_COOKIE_SAMESITE == "Lax"
    assert production.CSRF_COOKIE_SECURE is True
