"""A new user registers, confirms the e-mail, sets up two-factor, asks for the
Security Official role, and an existing Security Official approves it in the
portal [2020 §II]; a request for an organization with no Security Official
waits for CMS staff in admin."""

import re

import pyotp
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.two_factor import is_session_verified
from organizations.models import Role, RoleRequest
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "river-lantern-orchard-1987"


def connected_section(client):
    page = client.get(reverse("manage_access")).content.decode()
    return page.split('id="connected-heading"')[1].split("</section>")[0]


def _register_and_set_up(client, capture):
    with capture(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "username": "jordan-new",
                "first_name": "Jordan",
                "last_name": "Rivera",
                "email": "jordan@example.com",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
        )
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    confirmation = mail.outbox[-1]
    assert confirmation.to == ["jordan@example.com"]
    assert confirmation.subject == "QPP Registration: Confirm your e-mail address"

    link = re.search(r"https?://[^/]+(/accounts/confirm-email/[^\s]+/)", confirmation.body).group(1)
    client.post(link)

    sign_in = client.post(
        reverse("account_login"),
        {"login": "jordan-new", "password": NEW_PASSWORD, "statement_of_truth": "on"},
        follow=True,
    )
    assert sign_in.redirect_chain[-1][0].startswith(reverse("two_factor_confirm_email"))
    # The password alone sets up no device: first the link e-mailed to the account's address.
    with capture(execute=True):
        client.post(reverse("two_factor_confirm_email"))
    enrol = re.search(r"https?://[^/]+(/accounts/two-factor/setup/link/[^\s]+/)", mail.outbox[-1].body).group(
        1
    )
    assert client.get(enrol).url == reverse("two_factor_setup")

    page = client.get(reverse("two_factor_setup_app")).content.decode()
    secret = re.search(r'data-secret="([A-Z2-7]+)"', page).group(1)
    client.post(reverse("two_factor_setup_app"), {"name": "Phone", "code": pyotp.TOTP(secret).now()})
    assert is_session_verified(client.session)


def test_new_user_to_approved_security_official(
    client, security_official, practice, sign_in, django_capture_on_commit_callbacks
):
    _register_and_set_up(client, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("connect_organization"),
            {
                "kind": "practice",
                "identifier": "123456789",
                "name": "Chesapeake Family Medicine",
                "role": "security_official",
                "action": "request",
            },
        )
    request = RoleRequest.objects.get(user__username="jordan-new")
    assert [m.to for m in mail.outbox[-2:]] == [[security_official.email], ["jordan@example.com"]]
    assert "Chesapeake Family Medicine" not in connected_section(client)

    official = Client()
    sign_in(security_official, on=official)
    assert "jordan-new" in official.get(reverse("manage_access")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        official.post(reverse("role_request_approve", args=[request.pk]))
    assert mail.outbox[-1].to == ["jordan@example.com"]

    assert "Chesapeake Family Medicine" in connected_section(client)
    assert Role.objects.get(user__username="jordan-new").kind == Role.Kind.SECURITY_OFFICIAL


def test_request_for_an_organization_without_security_official_waits_in_admin(
    client, sign_in, outsider, staff_reviewer
):
    lonely = OrganizationFactory(name="No Official Yet Clinic", identifier="555443333")
    sign_in(outsider)
    client.post(
        reverse("connect_organization"),
        {
            "kind": "practice",
            "identifier": "555-44-3333",
            "name": "No Official Yet Clinic",
            "role": "security_official",
            "action": "request",
        },
    )
    assert RoleRequest.objects.filter(organization=lonely, status="pending").exists()

    staff = Client()
    sign_in(staff_reviewer, on=staff)
    page = staff.get(reverse("admin:organizations_rolerequest_changelist")).content.decode()

    assert "No Official Yet Clinic" in page
    assert "outsider" in page
