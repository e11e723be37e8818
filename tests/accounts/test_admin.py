"""Help desk in admin: remove a lost device, lift a two-factor lock; secrets never shown."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import TwoFactorDevice

from .conftest import add_app_device

pytestmark = pytest.mark.django_db


def test_device_list_never_shows_the_secret(client, sign_in, staff_reviewer, member):
    device = add_app_device(member)
    sign_in(staff_reviewer)

    listing = client.get(reverse("admin:accounts_twofactordevice_changelist")).content.decode()
    detail = client.get(reverse("admin:accounts_twofactordevice_change", args=[device.pk])).content.decode()

    assert "pat-member" in listing
    assert device.secret not in listing
    assert device.secret not in detail


def test_staff_remove_a_lost_last_device_and_the_user_is_signed_out_and_emailed(
    client, sign_in, staff_reviewer, member, django_capture_on_commit_callbacks
):
    device = add_app_device(member)
    users_browser = Client()
    sign_in(member, on=users_browser)
    sign_in(staff_reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:accounts_twofactordevice_changelist"),
            {"action": "remove_devices", "_selected_action": [device.pk]},
        )

    assert not TwoFactorDevice.objects.filter(user=member).exists()
    assert mail.outbox[-1].to == [member.email]
    assert users_browser.get(reverse("account_devices")).status_code == 302


def test_staff_unlock_two_factor(client, sign_in, staff_reviewer, member):
    for _ in range(10):
        services.two_factor_attempt(user=member, check=lambda: False)
    sign_in(staff_reviewer)

    client.post(
        reverse("admin:accounts_accountsecurity_changelist"),
        {"action": "unlock", "_selected_action": [member.pk]},
    )

    assert services.lock_status(member) is None


def test_old_versions_of_users_and_devices_cannot_be_restored(client, sign_in, staff_reviewer, member):
    # Restoring an old version would bring back a removed device's secret or an old e-mail address.
    device = add_app_device(member)
    member.email = "new-address@example.com"
    member.save()
    sign_in(staff_reviewer)
    old_user = member.history.earliest()
    old_device = device.history.earliest()

    user_revert = client.post(
        reverse("admin:accounts_user_simple_history", args=[member.pk, old_user.history_id]),
        {"username": member.username, "email": "old@example.com"},
    )
    device_revert = client.post(
        reverse("admin:accounts_twofactordevice_simple_history", args=[device.pk, old_device.history_id]),
        {"name": "restored"},
    )

    assert user_revert.status_code == 403
    assert device_revert.status_code == 403
    member.refresh_from_db()
    assert member.email == "new-address@example.com"
    assert TwoFactorDevice.objects.get(pk=device.pk).name == device.name
