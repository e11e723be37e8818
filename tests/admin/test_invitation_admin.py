"""Security Official invitations in admin: the help desk looks up who invited whom, for which
organization, when, and what became of it; nobody adds, edits or deletes one there."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from organizations.models import SecurityOfficialInvitation
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

INVITATIONS = "/admin/organizations/securityofficialinvitation/"
Status = SecurityOfficialInvitation.Status


def invitation(email, *, organization=None, status=Status.PENDING, expires_in_days=7):
    now = timezone.now()
    return SecurityOfficialInvitation.objects.create(
        organization=organization or OrganizationFactory(),
        email=email,
        invited_by=UserFactory(first_name="Ines", last_name="Inviter"),
        expires_at=now + timedelta(days=expires_in_days),
        status=status,
        closed_at=None if status == Status.PENDING else now,
    )


@pytest.fixture
def agent_client(staff_client, help_desk_agent):
    return staff_client(help_desk_agent)


def test_help_desk_sees_each_invitation_and_what_became_of_it(agent_client):
    clinic = OrganizationFactory(name="Harbor Clinic")
    waiting = invitation("waiting@example.com", organization=clinic)
    invitation("late@example.com", expires_in_days=-1)
    invitation("taken@example.com", status=Status.ACCEPTED)
    invitation("pulled@example.com", status=Status.WITHDRAWN)

    listing = agent_client.get(INVITATIONS)
    detail = agent_client.get(f"{INVITATIONS}{waiting.pk}/change/")

    page = listing.content.decode()
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 4
    assert "Harbor Clinic" in page
    assert str(waiting.invited_by) in page
    assert "Invited (ET)" in page
    for state in ("Waiting for acceptance", "Expired", "Accepted", "Withdrawn"):
        assert f'<td class="field-state">{state}</td>' in page
    assert detail.status_code == 200
    assert "waiting@example.com" in detail.content.decode()
    assert "Waiting for acceptance" in detail.content.decode()


def test_search_finds_invitations_by_email_and_by_organization(agent_client):
    harbor = invitation("pat@example.com", organization=OrganizationFactory(name="Harbor Clinic"))
    other = invitation("lee@example.com", organization=OrganizationFactory(name="Summit Care"))

    by_email = agent_client.get(INVITATIONS, {"q": "lee@example"})
    by_name = agent_client.get(INVITATIONS, {"q": "Harbor"})
    by_identifier = agent_client.get(INVITATIONS, {"q": other.organization.identifier})

    assert list(by_email.context["cl"].result_list) == [other]
    assert list(by_name.context["cl"].result_list) == [harbor]
    assert list(by_identifier.context["cl"].result_list) == [other]


@pytest.mark.parametrize(
    ("state", "expected"),
    [("pending", "waiting"), ("expired", "late"), ("accepted", "taken"), ("withdrawn", "pulled")],
)
def test_state_filter_tells_expired_from_waiting(agent_client, state, expected):
    invitation("waiting@example.com")
    invitation("late@example.com", expires_in_days=-1)
    invitation("taken@example.com", status=Status.ACCEPTED)
    invitation("pulled@example.com", status=Status.WITHDRAWN)

    response = agent_client.get(INVITATIONS, {"state": state})

    assert [found.email for found in response.context["cl"].result_list] == [f"{expected}@example.com"]


def test_only_staff_with_the_view_permission_may_look(staff_client):
    one = invitation("pat@example.com")
    portal_user = UserFactory(username="portal-user")
    staff_without = UserFactory(username="staff-without", is_staff=True)
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_securityofficialinvitation"))

    refused_portal_user = staff_client(portal_user).get(INVITATIONS)
    refused_staff = staff_client(staff_without)
    allowed = staff_client(viewer)

    assert refused_portal_user.status_code == 302
    assert "/admin/login/" in refused_portal_user["Location"]
    assert refused_staff.get(INVITATIONS).status_code == 403
    assert refused_staff.get(f"{INVITATIONS}{one.pk}/change/").status_code == 403
    assert allowed.get(INVITATIONS).status_code == 200
    assert allowed.get(f"{INVITATIONS}{one.pk}/change/").status_code == 200


def test_invitations_are_read_only_in_admin(agent_client, registration_admin, staff_client):
    one = invitation("pat@example.com")
    change = f"{INVITATIONS}{one.pk}/change/"

    for client in (agent_client, staff_client(registration_admin)):
        page = client.get(change).content.decode()
        assert 'name="email"' not in page
        assert 'name="_save"' not in page
        assert client.get(f"{INVITATIONS}add/").status_code == 403
        assert client.post(change, {"email": "mallory@example.com", "status": "accepted"}).status_code == 403
        assert client.post(f"{INVITATIONS}{one.pk}/delete/", {"post": "yes"}).status_code == 403

    one.refresh_from_db()
    assert (one.email, one.status) == ("pat@example.com", Status.PENDING)


def test_the_list_costs_the_same_queries_however_many_invitations(agent_client):
    def queries_for_list():
        with CaptureQueriesContext(connection) as queries:
            assert agent_client.get(INVITATIONS).status_code == 200
        return len(queries)

    invitation("first@example.com")
    one = queries_for_list()
    for n in range(6):
        invitation(f"more{n}@example.com")

    assert queries_for_list() == one


def test_organization_history_links_to_its_invitations(agent_client):
    clinic = OrganizationFactory(name="Harbor Clinic")
    ours = invitation("pat@example.com", organization=clinic)
    invitation("lee@example.com")

    page = agent_client.get(f"/admin/organizations/organization/{clinic.pk}/full-history/").content.decode()
    link = f"{INVITATIONS}?organization__id__exact={clinic.pk}"

    assert f'href="{link}"' in page
    assert list(agent_client.get(link).context["cl"].result_list) == [ours]
