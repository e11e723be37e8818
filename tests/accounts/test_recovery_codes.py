"""Recovery codes: ten, single-use, stored as hashes, offered in the device dropdown."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts import recovery
from accounts.models import RecoveryCode
from accounts.two_factor import is_session_verified

from .conftest import add_app_device, messages_of, submit_password

pytestmark = pytest.mark.django_db


@pytest.fixture
def codes(member, django_capture_on_commit_callbacks):
    add_app_device(member)
    with django_capture_on_commit_callbacks(execute=True):
        return recovery.recovery_codes_generate(user=member)


def use_recovery_code(client, code, **extra):
    return client.post(
        reverse("two_factor_verify"), {"device": "recovery", "code": code, "action": "verify", **extra}
    )


def test_ten_codes_are_made_and_only_their_hashes_are_stored(member, codes):
    assert len(codes) == 10
    assert len(set(codes)) == 10
    stored = list(RecoveryCode.objects.filter(user=member).values_list("code_hash", flat=True))
    assert len(stored) == 10
    for code in codes:
        assert all(code not in value and code.replace("-", "") not in value for value in stored)
    assert "10 new recovery codes were made" in mail.outbox[-1].body


def test_the_device_dropdown_offers_use_a_recovery_code(client, member, codes):
    submit_password(client, member)

    page = client.get(reverse("two_factor_verify")).content.decode()

    assert '<option value="recovery">Use a recovery code</option>' in page


def test_a_recovery_code_signs_in_once_e_mails_the_user_and_asks_for_a_new_device(
    client, member, codes, django_capture_on_commit_callbacks
):
    submit_password(client, member)

    with django_capture_on_commit_callbacks(execute=True):
        response = use_recovery_code(client, codes[3].upper().replace("-", " "))

    assert is_session_verified(client.session)
    assert response.url == reverse("two_factor_setup")
    assert "You signed in with a recovery code" in messages_of(response)
    assert "9 left" in messages_of(response)
    assert mail.outbox[-1].to == ["pat@example.com"]
    assert "A recovery code was just used to sign in" in mail.outbox[-1].body
    assert "9 unused recovery codes remain" in mail.outbox[-1].body
    # Adding the new device needs no second round of codes: both factors were just given.
    assert client.get(reverse("two_factor_setup")).status_code == 200

    client.post(reverse("account_logout"))
    submit_password(client, member)
    response = use_recovery_code(client, codes[3])
    assert not is_session_verified(client.session)
    assert "That code is not right, has expired or was already used." in response.content.decode()


def test_a_wrong_recovery_code_counts_toward_the_two_factor_lock(client, member, codes):
    submit_password(client, member)

    response = use_recovery_code(client, "aaaaa-bbbbb")

    assert "9 more tries" in response.content.decode()
    assert not is_session_verified(client.session)


def test_a_recovery_code_is_not_sent(client, member, codes):
    submit_password(client, member)

    response = client.post(reverse("two_factor_verify"), {"device": "recovery", "action": "send"})

    assert "Recovery codes are not sent" in response.content.decode()


def test_a_malformed_recovery_code_is_explained_next_to_the_field(client, member, codes):
    submit_password(client, member)

    response = use_recovery_code(client, "12345")

    assert "Enter a recovery code: 10 letters and numbers" in response.content.decode()


def test_one_users_code_does_not_sign_in_another(client, codes, outsider):
    from .conftest import confirm_email

    add_app_device(confirm_email(outsider))
    recovery.recovery_codes_generate(user=outsider)
    submit_password(client, outsider)

    use_recovery_code(client, codes[0])

    assert not is_session_verified(client.session)


def test_new_codes_need_re_authentication_and_void_the_old_ones(
    client, member, codes, sign_in, django_capture_on_commit_callbacks
):
    sign_in(member)
    session = client.session
    session.pop("qpp_reauthenticated_at")
    session.save()
    assert client.get(reverse("account_recovery_codes_new")).url.startswith(
        reverse("two_factor_reauthenticate")
    )
    sign_in(member)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_recovery_codes_new"), follow=True)

    page = response.content.decode()
    new_codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", page)
    assert len(new_codes) == 10
    assert "This is the only time we show these codes" in page
    assert not recovery.recovery_code_use(user=member, code=codes[0])
    assert recovery.recovery_code_use(user=member, code=new_codes[0])
    # Shown once: the page does not show them again.
    again = client.get(reverse("account_recovery_codes_show"), follow=True)
    assert "<code>" not in again.content.decode()


def test_devices_page_counts_unused_codes(client, member, codes, sign_in):
    recovery.recovery_code_use(user=member, code=codes[0])
    sign_in(member)

    page = client.get(reverse("account_devices")).content.decode()

    assert "9 unused recovery codes" in page
