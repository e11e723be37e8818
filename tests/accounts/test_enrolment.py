"""Enrolment bound to the account's e-mail address.

Finding: the password alone took over any account without a device — the first
sign-in enrolled whatever authenticator the holder of the password chose. That
covered every new sign-up, every account staff created, and every user whose
devices staff removed in admin.
"""

import re
from datetime import timedelta

import pyotp
import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import EnrolmentLink, RecoveryCode, TwoFactorDevice
from accounts.two_factor import PENDING_TOTP_SECRET_KEY, is_session_verified
from tests.conftest import sign_in_with_two_factor
from tests.factories import TEST_PASSWORD

from .conftest import (
    add_app_device,
    confirm_email,
    enrolment_link_from_outbox,
    messages_of,
    prove_email,
    submit_password,
)

pytestmark = pytest.mark.django_db

ENROLMENT_STEPS = [
    "two_factor_setup",
    "two_factor_setup_app",
    "two_factor_setup_email",
    "two_factor_setup_text",
]


def test_password_alone_reaches_no_device_secret_and_no_enrolment_step(client, member):
    submit_password(client, member)

    for name in ENROLMENT_STEPS:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("two_factor_confirm_email")), name
    assert PENDING_TOTP_SECRET_KEY not in client.session
    # Posting straight to the steps enrols nothing either.
    client.post(reverse("two_factor_setup"), {"kind": "totp"})
    client.post(reverse("two_factor_setup_app"), {"name": "Thief", "code": "123456"})
    client.post(
        reverse("two_factor_setup_text"), {"name": "Thief", "phone": "410-555-0100", "action": "send"}
    )
    assert PENDING_TOTP_SECRET_KEY not in client.session
    assert not TwoFactorDevice.objects.filter(user=member).exists()
    assert not is_session_verified(client.session)
    assert client.get("/").url.startswith(reverse("two_factor_setup"))


def test_send_link_e_mails_the_accounts_confirmed_address(client, member, django_capture_on_commit_callbacks):
    submit_password(client, member)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("two_factor_confirm_email"))

    assert "We sent a link to p***@example.com." in response.content.decode()
    assert mail.outbox[-1].to == ["pat@example.com"]
    assert "confirm it is you" in mail.outbox[-1].subject
    link = EnrolmentLink.objects.get(user=member)
    # Stored only as a keyed hash: the link in the e-mail is not in the database.
    assert link.key_hash not in enrolment_link_from_outbox()


def test_the_link_opens_the_device_setup_and_a_device_can_then_be_set_up(
    client, member, django_capture_on_commit_callbacks
):
    submit_password(client, member)

    response = prove_email(client, django_capture_on_commit_callbacks)

    assert response.url == reverse("two_factor_setup")
    assert "Your e-mail address is confirmed." in messages_of(response)
    page = client.get(reverse("two_factor_setup_app")).content.decode()
    secret = re.search(r'data-secret="([A-Z2-7]+)"', page).group(1)
    client.post(reverse("two_factor_setup_app"), {"name": "My phone", "code": pyotp.TOTP(secret).now()})
    assert TwoFactorDevice.objects.filter(user=member).count() == 1
    assert is_session_verified(client.session)


def test_a_link_works_once(client, member, django_capture_on_commit_callbacks):
    submit_password(client, member)
    prove_email(client, django_capture_on_commit_callbacks)
    link = enrolment_link_from_outbox()
    client.post(reverse("account_logout"))
    submit_password(client, member)

    response = client.get(link)

    assert response.status_code == 410
    assert "This link no longer works" in response.content.decode()
    assert client.get(reverse("two_factor_setup_app")).url.startswith(reverse("two_factor_confirm_email"))


def test_an_expired_link_is_refused(client, member, django_capture_on_commit_callbacks):
    submit_password(client, member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("two_factor_confirm_email"))
    link = enrolment_link_from_outbox()

    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        submit_password(client, member)
        response = client.get(link)

    assert response.status_code == 410


def test_a_link_opened_without_signing_in_asks_for_the_password_first(
    client, member, django_capture_on_commit_callbacks
):
    submit_password(client, member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("two_factor_confirm_email"))
    link = enrolment_link_from_outbox()
    other_browser = Client()

    response = other_browser.get(link)

    assert response.url == f"{reverse('account_login')}?next={link.replace('/', '%2F')}"
    assert not EnrolmentLink.objects.filter(used_at__isnull=False).exists()
    response = submit_password(other_browser, member)
    assert other_browser.get(link).url == reverse("two_factor_setup")


def test_a_link_for_one_account_does_not_open_enrolment_for_another(
    client, member, outsider, django_capture_on_commit_callbacks
):
    submit_password(client, member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("two_factor_confirm_email"))
    link = enrolment_link_from_outbox()
    intruder = Client()
    submit_password(intruder, confirm_email(outsider))

    assert intruder.get(link).status_code == 410
    assert intruder.get(reverse("two_factor_setup_app")).url.startswith(reverse("two_factor_confirm_email"))
    # ...and the owner's link still works for the owner.
    assert client.get(link).url == reverse("two_factor_setup")


def test_links_are_limited_to_five_in_fifteen_minutes(client, member, django_capture_on_commit_callbacks):
    submit_password(client, member)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            client.post(reverse("two_factor_confirm_email"))
        response = client.post(reverse("two_factor_confirm_email"))

    assert "We have sent several links" in response.content.decode()
    assert len(mail.outbox) == 5


def test_an_account_without_a_confirmed_address_is_told_to_call(client, db):
    from tests.factories import UserFactory

    user = UserFactory(username="no-confirmed-mail")
    client.force_login(user)

    page = client.get(reverse("two_factor_confirm_email")).content.decode()

    assert "no confirmed e-mail address" in page
    assert "Send Link" not in page


# --- staff: Reset two-factor -------------------------------------------------------------


def reset_in_admin(client, staff, user, django_capture_on_commit_callbacks):
    sign_in_with_two_factor(client, staff)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            reverse("admin:accounts_user_reset_two_factor", args=[user.pk]),
            {"checks": ["email_link"], "note": "Lost phone; opened our e-mailed link."},
            follow=True,
        )


def test_staff_reset_removes_devices_and_codes_ends_sessions_and_e_mails_an_expiring_link(
    client, staff_reviewer, member, django_capture_on_commit_callbacks
):
    add_app_device(member)
    RecoveryCode.objects.create(user=member, code_hash="x")
    users_browser = sign_in_with_two_factor(Client(), member)

    response = reset_in_admin(client, staff_reviewer, member, django_capture_on_commit_callbacks)

    assert "Reset two-factor for pat-member" in response.content.decode()
    assert not TwoFactorDevice.objects.filter(user=member).exists()
    assert not RecoveryCode.objects.filter(user=member).exists()
    assert users_browser.get("/").url == reverse("account_login")
    message = mail.outbox[-1]
    assert message.to == ["pat@example.com"]
    assert "removed the verification devices" in message.body
    link = EnrolmentLink.objects.get(user=member)
    assert link.sent_by == staff_reviewer
    assert timedelta(hours=71) < link.expires_at - timezone.now() <= timedelta(hours=72)


def test_after_a_staff_reset_the_user_signs_in_opens_the_link_and_sets_up_a_device(
    client, staff_reviewer, member, django_capture_on_commit_callbacks
):
    add_app_device(member)
    reset_in_admin(client, staff_reviewer, member, django_capture_on_commit_callbacks)
    link = enrolment_link_from_outbox()
    users_browser = Client()

    with time_machine.travel(timezone.now() + timedelta(hours=48), tick=False):
        submit_password(users_browser, member)
        assert users_browser.get(link).url == reverse("two_factor_setup")


def test_a_reset_link_expires(client, staff_reviewer, member, django_capture_on_commit_callbacks):
    add_app_device(member)
    reset_in_admin(client, staff_reviewer, member, django_capture_on_commit_callbacks)
    link = enrolment_link_from_outbox()
    users_browser = Client()

    with time_machine.travel(timezone.now() + timedelta(hours=73), tick=False):
        submit_password(users_browser, member)
        assert users_browser.get(link).status_code == 410


def test_removing_a_users_last_device_in_admin_sends_an_enrolment_link(
    client, staff_reviewer, member, django_capture_on_commit_callbacks
):
    device = add_app_device(member)
    sign_in_with_two_factor(client, staff_reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:accounts_twofactordevice_changelist"),
            {"action": "remove_devices", "_selected_action": [device.pk]},
        )

    assert EnrolmentLink.objects.filter(user=member, sent_by=staff_reviewer).exists()
    assert any("/accounts/two-factor/setup/link/" in message.body for message in mail.outbox)


def test_a_link_opened_after_the_sign_in_timed_out_opens_again_after_the_password(
    client, member, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        submit_password(client, member)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("two_factor_confirm_email"))
    link = enrolment_link_from_outbox()

    with time_machine.travel(start + timedelta(minutes=8), tick=False):
        response = client.get(link)
        assert "_auth_user_id" not in client.session
        assert response.url == f"{reverse('account_login')}?next={link.replace('/', '%2F')}"
        submit_password(client, member)
        assert client.get(link).url == reverse("two_factor_setup")


def test_first_sign_in_from_admin_ends_in_admin_after_the_device_is_set_up(
    client, member, django_capture_on_commit_callbacks
):
    """Staff who open /admin/ before they have a device: Sign In, the e-mailed link, a device,
    the recovery codes, then /admin/, where they were going, with no second sign-in."""
    member.is_staff = True
    member.save()
    sign_in = client.get("/admin/", follow=True)
    assert sign_in.request["PATH_INFO"] == reverse("account_login")
    response = client.post(
        f"{reverse('account_login')}?next=/admin/",
        {"login": member.username, "password": TEST_PASSWORD, "statement_of_truth": "on", "next": "/admin/"},
    )
    confirm = client.get(response.url, follow=True)
    assert confirm.request["PATH_INFO"] == reverse("two_factor_confirm_email")
    assert confirm.request["QUERY_STRING"] == "next=%2Fadmin%2F"

    response = prove_email(client, django_capture_on_commit_callbacks)

    assert response.url == f"{reverse('two_factor_setup')}?next=%2Fadmin%2F"
    page = client.get(f"{reverse('two_factor_setup_app')}?next=/admin/").content.decode()
    secret = re.search(r'data-secret="([A-Z2-7]+)"', page).group(1)
    codes = client.post(
        f"{reverse('two_factor_setup_app')}?next=/admin/",
        {"name": "My phone", "code": pyotp.TOTP(secret).now(), "next": "/admin/"},
        follow=True,
    )
    assert "/admin/" in codes.content.decode()  # the recovery codes page goes on to /admin/
    assert client.get("/admin/").status_code == 200
