"""/admin/ needs the same two factors as the portal."""

import pytest
from django.urls import reverse

from .conftest import add_app_device, confirm_email, current_code, messages_of, submit_password, verify_with

pytestmark = pytest.mark.django_db


def test_staff_user_past_only_the_password_is_sent_to_two_factor(client, staff_reviewer):
    add_app_device(confirm_email(staff_reviewer))
    submit_password(client, staff_reviewer)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url == f"{reverse('two_factor_verify')}?next=%2Fadmin%2F"


def test_staff_user_reaches_admin_after_the_code(client, staff_reviewer):
    device = add_app_device(confirm_email(staff_reviewer))
    submit_password(client, staff_reviewer)

    response = verify_with(client, device, current_code(device), next="/admin/")

    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_admin_login_page_sends_to_the_portal_sign_in(client):
    response = client.get("/admin/login/?next=/admin/organizations/")

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next=%2Fadmin%2Forganizations%2F"


def test_anonymous_admin_request_goes_to_the_portal_sign_in(client):
    response = client.get("/admin/organizations/organization/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_signed_in_non_staff_user_is_turned_away_from_admin(client, member, sign_in):
    sign_in(member)

    response = client.get("/admin/login/", follow=True)

    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Django admin is for CMS staff only." in messages_of(response)
