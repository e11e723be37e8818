"""The sign-in throttle slows the attacker, never the owner (OWASP device cookies).

Finding: after 5 wrong passwords for a User ID (or 10 from one address) the owner's
right password was refused too, so anyone who knew a User ID could keep its owner
out; behind a proxy every user shared one address budget.
"""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.known_browsers import COOKIE_NAME
from accounts.services import security_stamp_rotate
from accounts.two_factor import is_session_verified

from .conftest import add_app_device, current_code, submit_password, verify_with

pytestmark = pytest.mark.django_db

THROTTLED = "Too many failed sign-in attempts."


@pytest.fixture
def owners_browser(client, member):
    """The owner's browser, which completed two-factor for the account before and signed out."""
    device = add_app_device(member)
    submit_password(client, member)
    verify_with(client, device, current_code(device))
    assert is_session_verified(client.session)
    client.post(reverse("account_logout"))
    assert COOKIE_NAME in client.cookies
    return client


def attack(user, *, times, **extra):
    """Wrong passwords for ``user`` from an address other than the owner's."""
    attacker = Client(**{"REMOTE_ADDR": "198.51.100.66", **extra})
    for _ in range(times):
        submit_password(attacker, user, password="guessing-wrong-again")
    return attacker


def test_two_factor_gives_the_browser_a_signed_device_cookie(owners_browser):
    cookie = owners_browser.cookies[COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    # Signed: the account id cannot be swapped for another without SECRET_KEY.
    assert ":" in cookie.value


def test_owners_known_browser_signs_in_while_50_wrong_passwords_arrive_from_elsewhere(owners_browser, member):
    attack(member, times=50)

    response = submit_password(owners_browser, member)

    assert THROTTLED not in response.content.decode()
    assert response.status_code == 302
    assert owners_browser.session["_auth_user_id"] == str(member.pk)
    assert not is_session_verified(owners_browser.session)  # the code is still asked for


def test_an_attacker_without_the_device_cookie_is_still_throttled(owners_browser, member):
    attack(member, times=50)
    # Even from a fresh address: the per-User-ID limit holds for every browser but the owner's.
    attacker = Client(REMOTE_ADDR="192.0.2.10")

    response = submit_password(attacker, member)

    assert "_auth_user_id" not in attacker.session
    assert THROTTLED in response.content.decode()


def test_a_forged_or_copied_cookie_for_another_account_does_not_help(owners_browser, member, outsider):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=outsider, email=outsider.email, verified=True, primary=True)
    attacker = attack(outsider, times=5)
    attacker.cookies[COOKIE_NAME] = owners_browser.cookies[COOKIE_NAME].value

    response = submit_password(attacker, outsider)

    assert THROTTLED in response.content.decode()


def test_the_known_browser_has_its_own_budget_of_wrong_passwords(owners_browser, member):
    for _ in range(5):
        submit_password(owners_browser, member, password="owner-mistypes-it")

    response = submit_password(owners_browser, member)

    assert THROTTLED in response.content.decode()
    # ...which the attacker's browser does not share the other way round either.
    assert "_auth_user_id" not in owners_browser.session


def test_a_security_change_elsewhere_voids_the_device_cookie(owners_browser, member):
    security_stamp_rotate(user=member)  # e.g. staff reset or a password change in another session
    attack(member, times=5)

    response = submit_password(owners_browser, member)

    assert THROTTLED in response.content.decode()


def test_without_trusted_proxies_a_forwarded_for_header_changes_nothing(member, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    for n in range(10):
        submit_password(Client(HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"), member, password="wrong-one-here")
    other_user_same_address = Client(HTTP_X_FORWARDED_FOR="198.51.100.7")

    response = submit_password(other_user_same_address, member)

    assert THROTTLED in response.content.decode()


def test_behind_one_trusted_proxy_each_client_address_has_its_own_budget(settings, db):
    from allauth.account.models import EmailAddress

    from tests.factories import UserFactory

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    users = [UserFactory(username=f"clinic-{n}") for n in range(11)]
    for user in users:
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    # One client forges the header's left part; the proxy appends the address it saw.
    for n, user in enumerate(users[:10]):
        forged = Client(HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 203.0.113.5", REMOTE_ADDR="10.0.0.1")
        submit_password(forged, user, password="wrong-one-here")
    same_client = Client(HTTP_X_FORWARDED_FOR="10.1.1.1, 203.0.113.5", REMOTE_ADDR="10.0.0.1")
    another_client = Client(HTTP_X_FORWARDED_FOR="203.0.113.77", REMOTE_ADDR="10.0.0.1")

    assert THROTTLED in submit_password(same_client, users[10]).content.decode()
    response = submit_password(another_client, users[10])
    assert another_client.session["_auth_user_id"] == str(users[10].pk)
    assert response.status_code == 302
