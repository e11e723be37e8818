"""A Security Official approves or rejects requests and removes other people's roles."""

from html import unescape

import pytest
from django.core import mail
from django.urls import reverse

from organizations.models import Role, RoleRequest
from tests.factories import OrganizationFactory, RoleFactory, RoleRequestFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_for_practice(practice):
    return RoleRequestFactory(
        organization=practice, user=UserFactory(username="newcomer", email="newcomer@example.com")
    )


def test_approve_grants_the_role_and_emails_the_requester(
    client, sign_in, security_official, request_for_practice, django_capture_on_commit_callbacks
):
    sign_in(security_official)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("role_request_approve", args=[request_for_practice.pk]))

    assert response.url == reverse("manage_access")
    role = Role.objects.get(user=request_for_practice.user, organization=request_for_practice.organization)
    assert role.kind == Role.Kind.SECURITY_OFFICIAL
    request_for_practice.refresh_from_db()
    assert (request_for_practice.status, request_for_practice.decided_by) == ("approved", security_official)
    assert mail.outbox[-1].to == ["newcomer@example.com"]


def test_approve_asks_for_confirmation_first(client, sign_in, security_official, request_for_practice):
    sign_in(security_official)

    page = client.get(reverse("role_request_approve", args=[request_for_practice.pk])).content.decode()

    assert (
        "(User ID newcomer, newcomer@example.com) the Security Official role for Chesapeake Family Medicine"
        in " ".join(page.split())
    )
    assert '<button type="submit" class="usa-button">Approve</button>' in page
    assert not Role.objects.filter(user=request_for_practice.user).exists()


def test_reject_with_a_note_emails_the_requester(
    client, sign_in, security_official, request_for_practice, django_capture_on_commit_callbacks
):
    sign_in(security_official)
    url = reverse("role_request_reject", args=[request_for_practice.pk])
    assert "Reject request" in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"note": "Please ask your practice manager."})

    request_for_practice.refresh_from_db()
    assert request_for_practice.status == RoleRequest.Status.REJECTED
    assert request_for_practice.decision_note == "Please ask your practice manager."
    assert not Role.objects.filter(user=request_for_practice.user).exists()
    assert mail.outbox[-1].to == ["newcomer@example.com"]


def test_too_long_a_note_is_refused_next_to_the_field_and_nothing_is_decided(
    client, sign_in, security_official, request_for_practice
):
    sign_in(security_official)

    response = client.post(
        reverse("role_request_reject", args=[request_for_practice.pk]), {"note": "x" * 501}
    )

    assert "Ensure this value has at most 500 characters" in response.content.decode()
    request_for_practice.refresh_from_db()
    assert request_for_practice.status == RoleRequest.Status.PENDING


def test_requests_of_another_organization_cannot_be_decided(client, sign_in, security_official):
    elsewhere = RoleRequestFactory(organization=OrganizationFactory())
    sign_in(security_official)

    assert client.post(reverse("role_request_approve", args=[elsewhere.pk])).status_code == 404
    assert client.post(reverse("role_request_reject", args=[elsewhere.pk])).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == RoleRequest.Status.PENDING


def test_a_decided_request_cannot_be_decided_again(client, sign_in, security_official, request_for_practice):
    sign_in(security_official)
    client.post(reverse("role_request_approve", args=[request_for_practice.pk]))

    response = client.post(reverse("role_request_reject", args=[request_for_practice.pk]))

    assert response.status_code == 404
    request_for_practice.refresh_from_db()
    assert request_for_practice.status == RoleRequest.Status.APPROVED


def test_security_official_removes_another_users_role(
    client, sign_in, security_official, staff_user, practice
):
    role = Role.objects.get(user=staff_user)
    sign_in(security_official)
    url = reverse("role_remove", args=[practice.pk, role.pk])
    assert "Remove the Staff User role" in client.get(url).content.decode()

    response = client.post(url)

    assert response.url == reverse("manage_access")
    assert not Role.objects.filter(pk=role.pk).exists()


def test_a_newly_approved_official_removing_the_one_who_approved_them_tells_both_by_email(
    client, sign_in, security_official, practice, request_for_practice, django_capture_on_commit_callbacks
):
    # [issue 28 #22]: approved by Sam Official, the newcomer removes Sam's role; Sam hears of it.
    newcomer = request_for_practice.user
    sign_in(security_official)
    client.post(reverse("role_request_approve", args=[request_for_practice.pk]))
    mail.outbox.clear()
    sign_in(newcomer)
    sam = Role.objects.get(user=security_official)
    url = reverse("role_remove", args=[practice.pk, sam.pk])
    assert "will be told by e-mail" in " ".join(client.get(url).content.decode().split())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)

    assert not Role.objects.filter(pk=sam.pk).exists()
    assert "We e-mailed them and the organization's other Security Officials." in unescape(
        response.content.decode()
    )
    assert sorted(message.to[0] for message in mail.outbox) == ["newcomer@example.com", "so-user@example.com"]
    to_sam = next(message for message in mail.outbox if message.to == ["so-user@example.com"])
    assert to_sam.subject == "Your Security Official role for Chesapeake Family Medicine was removed"


def test_the_last_security_official_cannot_be_removed(client, sign_in, security_official, practice):
    other_official = RoleFactory(organization=practice, kind=Role.Kind.SECURITY_OFFICIAL)
    sign_in(security_official)
    client.post(reverse("role_remove", args=[practice.pk, other_official.pk]))
    assert not Role.objects.filter(pk=other_official.pk).exists()

    # The only Security Official left is the signed-in one, whom the page never offers to remove.
    mine = Role.objects.get(user=security_official)
    assert client.get(reverse("role_remove", args=[practice.pk, mine.pk])).status_code == 404


def test_staff_user_of_an_organization_cannot_remove_its_security_official(
    client, sign_in, practice, security_official
):
    other = OrganizationFactory(name="Lone Official Clinic")
    lone = RoleFactory(organization=other, kind=Role.Kind.SECURITY_OFFICIAL)
    RoleFactory(user=security_official, organization=other, kind=Role.Kind.STAFF_USER)
    sign_in(security_official)

    # A Staff User of that organization may not remove anyone.
    assert client.post(reverse("role_remove", args=[other.pk, lone.pk])).status_code == 404
    assert Role.objects.filter(pk=lone.pk).exists()


def test_staff_user_and_outsider_cannot_remove_roles(
    client, sign_in, staff_user, outsider, security_official, practice
):
    official_role = Role.objects.get(user=security_official)
    for user in (staff_user, outsider):
        sign_in(user)
        assert client.post(reverse("role_remove", args=[practice.pk, official_role.pk])).status_code == 404
    assert Role.objects.filter(pk=official_role.pk).exists()


def test_a_role_cannot_be_removed_through_another_organizations_url(client, sign_in, security_official):
    elsewhere = RoleFactory(organization=OrganizationFactory(), kind=Role.Kind.STAFF_USER)
    RoleFactory(user=security_official, organization=OrganizationFactory())
    mine = Role.objects.filter(user=security_official).first()
    sign_in(security_official)

    assert client.post(reverse("role_remove", args=[mine.organization_id, elsewhere.pk])).status_code == 404
    assert Role.objects.filter(pk=elsewhere.pk).exists()
