"""Sign In: User ID, Password and the Statement of Truth, every time [2020 §III.1–2]."""

import logging

import pytest
from django.urls import reverse

from accounts.forms import STATEMENT_OF_TRUTH
from accounts.models import TwoFactorDevice
from accounts.two_factor import is_session_verified
from tests.factories import TEST_PASSWORD

from .conftest import add_app_device, submit_password

pytestmark = pytest.mark.django_db


def test_sign_in_page_shows_user_id_password_and_statement_of_truth(client):
    response = client.get(reverse("account_login"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "User ID" in page
    assert "Password" in page
    assert "Statement of Truth" in page
    assert STATEMENT_OF_TRUTH[:60] in page
    assert "Yes, I agree" in page
    assert reverse("account_signup") in page
    assert reverse("account_reset_password") in page


def test_sign_in_without_yes_i_agree_is_refused_and_keeps_the_user_id(client, member):
    response = submit_password(client, member, agree=False)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert "Check “Yes, I agree” to accept the Statement of Truth before you sign in." in page
    assert 'value="pat-member"' in page


@pytest.mark.parametrize("value", ["0", "off", "no", "false", "yes", "1", ""])
def test_statement_of_truth_accepts_only_the_checkbox_own_value(client, member, value):
    data = {"login": member.username, "password": TEST_PASSWORD, "statement_of_truth": value}

    response = client.post(reverse("account_login"), data)

    assert "_auth_user_id" not in client.session
    assert (
        "Check “Yes, I agree” to accept the Statement of Truth before you sign in."
        in response.content.decode()
    )


def test_statement_of_truth_is_asked_again_at_every_sign_in(client, member):
    submit_password(client, member)
    client.post(reverse("account_logout"))

    response = submit_password(client, member, agree=False)

    assert "_auth_user_id" not in client.session
    assert "Statement of Truth" in response.content.decode()


def test_sign_in_with_agreement_asks_a_new_user_to_confirm_the_account_e_mail_first(client, member):
    response = submit_password(client, member, follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("two_factor_confirm_email"))
    page = response.content.decode()
    assert "Confirm it is your account" in page
    assert "p***@example.com" in page
    assert client.session["_auth_user_id"] == str(member.pk)
    assert not is_session_verified(client.session)


def test_sign_in_asks_a_returning_user_for_a_code_from_the_device_dropdown(client, member):
    add_app_device(member, name="Pixel app")

    response = submit_password(client, member, follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("two_factor_verify"))
    page = response.content.decode()
    assert "Select device" in page
    assert "Pixel app (Authenticator app)" in page
    assert "Send Code" in page
    assert "Verify" in page


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client, member):
    response = submit_password(client, member, password="not-the-password-at-all")

    assert "_auth_user_id" not in client.session
    assert "The User ID and/or password you entered are not correct." in response.content.decode()


def test_wrong_passwords_are_throttled_even_before_the_right_one(client, member):
    for _ in range(5):
        submit_password(client, member, password="guessing-wrong-again")

    response = submit_password(client, member)

    assert "_auth_user_id" not in client.session
    assert "Too many failed sign-in attempts." in response.content.decode()


def test_session_key_changes_when_the_password_is_accepted(client, member):
    client.get(reverse("account_login"))
    client.session.save()
    before = client.session.session_key

    submit_password(client, member)

    assert client.session.session_key != before


def test_sign_ins_and_failures_are_logged_to_qpp_security(client, member, caplog):
    with caplog.at_level(logging.INFO, logger="qpp.security"):
        submit_password(client, member, password="wrong-password-here")
        submit_password(client, member)

    messages = [r.getMessage() for r in caplog.records if r.name == "qpp.security"]
    assert any(m.startswith("password refused user=pat-member") for m in messages)
    assert any(m.startswith("password accepted user=pat-member") for m in messages)


def test_sign_in_page_offers_no_remember_me(client):
    assert "Remember Me" not in client.get(reverse("account_login")).content.decode()


def test_device_dropdown_reads_plainly(client, member):
    add_app_device(member, name="Authenticator app")
    TwoFactorDevice.objects.create(
        user=member, kind="email", name="Work e-mail", destination="pat@example.com"
    )

    page = submit_password(client, member, follow=True).content.decode()

    assert ">Authenticator app</option>" in page  # the default name is not repeated as its kind
    assert ">Work e-mail (E-mail, p***@example.com)</option>" in page
