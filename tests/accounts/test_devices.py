"""Account / Devices: add, rename, remove — never the last — behind a fresh check."""

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import TwoFactorDevice

from .conftest import add_app_device, add_email_device

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_devices(member):
    return add_app_device(member, name="Phone app"), add_email_device(member, name="Work e-mail")


def test_devices_page_lists_the_users_devices_only(client, member, sign_in, two_devices):
    add_app_device(member.__class__.objects.create(username="someone-else"), name="Not mine")
    sign_in(member)

    page = client.get(reverse("account_devices")).content.decode()

    assert "Account / Devices" in page
    assert "Phone app" in page
    assert "p***@example.com" in page
    assert "Not mine" not in page


def test_devices_page_runs_two_queries_however_many_devices_outside_a_transaction(client, member, sign_in):
    """The devices and the count of unused recovery codes; nothing per device. (The session's and
    the signed-in user's queries are the request's, not the page's.) The page only reads, so it
    runs outside ATOMIC_REQUESTS' transaction."""
    add_app_device(member)
    sign_in(member)

    def page_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("account_devices")).status_code == 200
        sql = [query["sql"] for query in queries.captured_queries]
        page = [
            i
            for i, text in enumerate(sql)
            if "accounts_twofactordevice" in text or "accounts_recoverycode" in text
        ]
        # A transaction shows here as a savepoint (the test runs in one); the session store's own
        # savepoint comes after the page, around its UPDATE.
        assert not any("SAVEPOINT" in text for text in sql[: max(page)]), sql
        return [sql[i] for i in page]

    one = page_queries()
    add_email_device(member)
    add_app_device(member, name="Tablet app")
    three = page_queries()

    assert len(one) == len(three) == 2
    device_query = next(text for text in three if "accounts_twofactordevice" in text)
    assert '"secret"' not in device_query
    assert '"public_key"' not in device_query


def test_rename_changes_the_name_in_the_dropdown(client, member, sign_in, two_devices):
    app, _ = two_devices
    sign_in(member)

    response = client.post(reverse("account_device_rename", args=[app.pk]), {"name": "Pixel 9"})

    assert response.url == reverse("account_devices")
    app.refresh_from_db()
    assert app.name == "Pixel 9"


def test_rename_to_a_name_already_used_is_refused_next_to_the_form(client, member, sign_in, two_devices):
    app, _ = two_devices
    sign_in(member)

    response = client.post(reverse("account_device_rename", args=[app.pk]), {"name": "Work e-mail"})

    assert "You already have a device with this name." in response.content.decode()
    app.refresh_from_db()
    assert app.name == "Phone app"


def test_remove_deletes_the_device_and_emails_the_user(
    client, member, sign_in, two_devices, django_capture_on_commit_callbacks
):
    app, _ = two_devices
    sign_in(member)
    assert "Remove Phone app?" in client.get(reverse("account_device_remove", args=[app.pk])).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_device_remove", args=[app.pk]))

    assert response.url == reverse("account_devices")
    assert not TwoFactorDevice.objects.filter(pk=app.pk).exists()
    assert mail.outbox[-1].subject == "QPP Registration: a verification device was removed"
    # The session that made the change carries on.
    assert client.get(reverse("account_devices")).status_code == 200


def test_the_last_device_cannot_be_removed(client, member, sign_in):
    only = add_app_device(member)
    sign_in(member)

    page = client.get(reverse("account_device_remove", args=[only.pk])).content.decode()
    response = client.post(reverse("account_device_remove", args=[only.pk]))

    assert "is your only verification device, so it cannot be removed" in page
    assert "You cannot remove your only verification device." in response.content.decode()
    assert TwoFactorDevice.objects.filter(pk=only.pk).exists()


def test_removing_a_device_signs_out_the_users_other_sessions(client, member, sign_in, two_devices):
    app, _ = two_devices
    other = Client()
    sign_in(member, on=other)
    assert other.get(reverse("account_devices")).status_code == 200
    sign_in(member)

    client.post(reverse("account_device_remove", args=[app.pk]))

    response = other.get(reverse("account_devices"))
    assert response.status_code == 302
    assert response.url == reverse("account_login")
    assert "_auth_user_id" not in other.session


def test_another_users_device_cannot_be_renamed_or_removed(client, member, sign_in, two_devices, outsider):
    theirs = add_app_device(outsider)
    add_email_device(outsider)
    sign_in(member)

    assert client.get(reverse("account_device_rename", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("account_device_remove", args=[theirs.pk])).status_code == 404
    assert TwoFactorDevice.objects.filter(pk=theirs.pk).exists()


def test_device_changes_need_password_and_code_again_after_a_few_minutes(
    client, member, sign_in, two_devices
):
    app, _ = two_devices
    sign_in(member)
    session = client.session
    session["qpp_reauthenticated_at"] -= 6 * 60
    session.save()

    for url in (
        reverse("account_device_rename", args=[app.pk]),
        reverse("account_device_remove", args=[app.pk]),
        reverse("account_change_password"),
        reverse("account_email"),
    ):
        response = client.post(url, {"name": "x"})
        assert response.status_code == 302
        assert response.url.startswith(reverse("two_factor_reauthenticate"))
    assert TwoFactorDevice.objects.filter(user=member).count() == 2
