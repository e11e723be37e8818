"""Connect to an Organization: find it by identifier and name, request a role [2020 §II]."""

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from organizations.models import Role, RoleRequest
from tests.factories import RoleRequestFactory

pytestmark = pytest.mark.django_db

SEARCH = {
    "kind": "practice",
    "identifier": "123-45-6789",
    "name": "Chesapeake Family Medicine",
    "action": "search",
}


def test_search_with_identifier_and_name_finds_the_organization(client, sign_in, outsider, practice):
    sign_in(outsider)

    page = client.post(reverse("connect_organization"), SEARCH).content.decode()

    assert "Request a role" in page
    assert "Chesapeake Family Medicine" in page
    assert "***-**-6789" in page
    assert "Security Official" in page
    assert "Staff User" in page


def test_search_with_a_wrong_name_finds_nothing_and_keeps_what_was_typed(client, sign_in, outsider, practice):
    sign_in(outsider)

    response = client.post(reverse("connect_organization"), {**SEARCH, "name": "Chesapeake"})

    page = response.content.decode()
    assert "No organization matches that identifier and name." in page
    assert 'value="123-45-6789"' in page
    assert 'value="Chesapeake"' in page


def test_empty_search_says_what_is_missing_next_to_each_field(client, sign_in, outsider):
    sign_in(outsider)

    page = client.post(reverse("connect_organization"), {"action": "search"}).content.decode()

    assert "Select the organization type." in page
    assert "Enter the organization’s identifier." in page
    assert "Enter the organization’s name." in page


def test_a_tin_must_have_nine_digits(client, sign_in, outsider):
    sign_in(outsider)

    page = client.post(reverse("connect_organization"), {**SEARCH, "identifier": "12345"}).content.decode()

    assert "A TIN has 9 digits, e.g. 123-45-6789." in page


def test_request_goes_to_the_security_officials_by_email(
    client, sign_in, outsider, security_official, practice, django_capture_on_commit_callbacks
):
    sign_in(outsider)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("connect_organization"),
            {**SEARCH, "role": Role.Kind.SECURITY_OFFICIAL, "action": "request"},
        )

    request = RoleRequest.objects.get(user=outsider)
    assert response.url == reverse("own_role_request", args=[request.pk])
    assert (request.organization, request.role, request.status) == (practice, "security_official", "pending")
    assert [message.to for message in mail.outbox] == [[security_official.email], [outsider.email]]


def test_request_for_an_organization_without_security_official_goes_to_cms_staff(
    client, sign_in, outsider, practice, django_capture_on_commit_callbacks
):
    sign_in(outsider)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("connect_organization"),
            {**SEARCH, "role": Role.Kind.SECURITY_OFFICIAL, "action": "request"},
            follow=True,
        )

    shown = " ".join(str(message) for message in get_messages(response.wsgi_request))
    assert "was sent to the QPP Service Center" in shown
    assert RoleRequest.objects.filter(user=outsider, organization=practice, status="pending").exists()
    assert [message.to for message in mail.outbox] == [[outsider.email]]


def test_requesting_without_choosing_a_role_is_refused(client, sign_in, outsider, practice):
    sign_in(outsider)

    page = client.post(reverse("connect_organization"), {**SEARCH, "action": "request"}).content.decode()

    assert "Choose the role you need." in page
    assert not RoleRequest.objects.exists()


def test_a_second_pending_request_is_refused_with_the_reason(client, sign_in, outsider, practice):
    RoleRequestFactory(user=outsider, organization=practice)
    sign_in(outsider)

    page = client.post(
        reverse("connect_organization"), {**SEARCH, "role": Role.Kind.STAFF_USER, "action": "request"}
    ).content.decode()

    assert "is waiting for approval" in page
    assert RoleRequest.objects.filter(user=outsider).count() == 1


def test_request_for_a_role_already_held_is_refused(client, sign_in, security_official, practice):
    sign_in(security_official)

    page = client.post(
        reverse("connect_organization"), {**SEARCH, "role": Role.Kind.SECURITY_OFFICIAL, "action": "request"}
    ).content.decode()

    assert "You already have the Security Official role for Chesapeake Family Medicine." in page
    assert not RoleRequest.objects.exists()


def test_a_forged_request_still_needs_the_identifier_and_name(client, sign_in, outsider, practice):
    sign_in(outsider)

    client.post(
        reverse("connect_organization"),
        {
            "kind": "practice",
            "identifier": "123456789",
            "name": "wrong",
            "role": "staff_user",
            "action": "request",
        },
    )

    assert not RoleRequest.objects.exists()
