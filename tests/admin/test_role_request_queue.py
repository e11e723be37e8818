"""The role-request queue: pending requests oldest first, approve and reject through the
services (which tell the requester), organizations without a Security Official marked."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.utils import timezone

from organizations.models import Role, RoleRequest
from tests.factories import OrganizationFactory, RoleFactory, RoleRequestFactory, UserFactory

from .conftest import action

pytestmark = pytest.mark.django_db

QUEUE = "/admin/organizations/rolerequest/"


@pytest.fixture
def agent_client(staff_client, help_desk_agent):
    return staff_client(help_desk_agent)


def request_made(days_ago, **kwargs):
    role_request = RoleRequestFactory(**kwargs)
    RoleRequest.objects.filter(pk=role_request.pk).update(
        requested_at=timezone.now() - timedelta(days=days_ago)
    )
    role_request.refresh_from_db()
    return role_request


def test_queue_lists_pending_requests_oldest_first(agent_client):
    newer = request_made(1)
    older = request_made(5)
    request_made(9, status=RoleRequest.Status.REJECTED, decided_at=timezone.now())

    response = agent_client.get(QUEUE)

    assert list(response.context["cl"].result_list) == [older, newer]
    assert "waiting 5\xa0days" in response.content.decode()  # how long the oldest has waited


def test_all_requests_are_one_click_away(agent_client):
    request_made(1)
    request_made(9, status=RoleRequest.Status.APPROVED, decided_at=timezone.now())

    response = agent_client.get(QUEUE, {"status": "all"})

    assert response.context["cl"].result_count == 2


def test_organizations_without_a_security_official_are_marked_and_filterable(agent_client):
    orphan = request_made(2, organization=OrganizationFactory(name="No One Yet Clinic"))
    with_so = request_made(1)
    RoleFactory(organization=with_so.organization, kind=Role.Kind.SECURITY_OFFICIAL)

    page = agent_client.get(QUEUE).content.decode()
    only_orphans = agent_client.get(QUEUE, {"has_security_official": "no"})

    assert page.count('class="qpp-no-so">None yet</span>') == 1
    assert list(only_orphans.context["cl"].result_list) == [orphan]


def test_approve_grants_the_role_and_tells_the_requester(
    agent_client, help_desk_agent, django_capture_on_commit_callbacks
):
    requester = UserFactory(username="new-so", email="new-so@example.com")
    role_request = request_made(3, user=requester, role=Role.Kind.SECURITY_OFFICIAL)

    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(QUEUE, action("approve_requests", role_request), follow=True)

    role = Role.objects.get(user=requester, organization=role_request.organization)
    assert role.kind == Role.Kind.SECURITY_OFFICIAL
    role_request.refresh_from_db()
    assert (role_request.status, role_request.decided_by) == (RoleRequest.Status.APPROVED, help_desk_agent)
    assert role_request.history.first().history_user == help_desk_agent
    [message] = mail.outbox
    assert message.to == ["new-so@example.com"]
    assert "Approved 1 request(s); each requester has been told by e-mail." in response.content.decode()


def test_reject_asks_for_a_reason_and_sends_it(agent_client, django_capture_on_commit_callbacks):
    role_request = request_made(3, user=UserFactory(email="hopeful@example.com"))

    confirmation = agent_client.post(QUEUE, action("reject_requests", role_request))
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(
            QUEUE,
            action(
                "reject_requests", role_request, confirm="yes", decision_note="Not on the practice roster."
            ),
        )

    assert "Reason (sent to the requester)" in confirmation.content.decode()
    role_request.refresh_from_db()
    assert role_request.status == RoleRequest.Status.REJECTED
    assert role_request.decision_note == "Not on the practice roster."
    assert not Role.objects.filter(user=role_request.user).exists()
    [message] = mail.outbox
    assert message.to == ["hopeful@example.com"]
    assert "Not on the practice roster." in message.body


def test_a_request_decided_meanwhile_is_reported_not_decided_twice(agent_client):
    role_request = request_made(3)
    agent_client.post(QUEUE, action("approve_requests", role_request))

    response = agent_client.post(  # from the list of all requests, opened before the approval
        f"{QUEUE}?status=all",
        action("reject_requests", role_request, confirm="yes", decision_note=""),
        follow=True,
    )

    assert "This request was already approved." in response.content.decode()
    role_request.refresh_from_db()
    assert role_request.status == RoleRequest.Status.APPROVED


def test_requests_are_read_only_in_admin(agent_client):
    role_request = request_made(1)

    response = agent_client.get(f"{QUEUE}{role_request.pk}/change/")

    assert response.status_code == 200
    assert 'name="status"' not in response.content.decode()
    assert agent_client.get(f"{QUEUE}add/").status_code == 403


def test_staff_who_may_only_view_cannot_decide(staff_client):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_rolerequest"))
    role_request = request_made(1)
    client = staff_client(viewer)

    listing = client.get(QUEUE).content.decode()
    client.post(QUEUE, action("approve_requests", role_request))

    assert "approve_requests" not in listing
    role_request.refresh_from_db()
    assert role_request.status == RoleRequest.Status.PENDING
