"""role_request_withdraw: the requester, and nobody else, withdraws a request still waiting,
and the Security Officials who were asked to approve it are told."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from organizations.models import Role, RoleRequest
from organizations.own_requests import role_request_withdraw
from organizations.services import role_request_approve, role_request_create
from qpp_registration.core.exceptions import RegistrationRefused
from tests.factories import RoleRequestFactory, UserFactory


@pytest.fixture
def waiting(practice):
    return RoleRequestFactory(organization=practice, user=UserFactory(username="waiting-user"))


def test_the_requester_withdraws_with_history(waiting):
    role_request_withdraw(role_request=waiting, by=waiting.user)

    waiting.refresh_from_db()
    assert (waiting.status, waiting.decided_by) == (RoleRequest.Status.WITHDRAWN, waiting.user)
    assert waiting.decided_at is not None
    latest = waiting.history.first()
    assert (latest.history_user, latest.history_change_reason) == (
        waiting.user,
        "Role request withdrawn by the requester",
    )


def test_nobody_else_withdraws_it(waiting, security_official, outsider, staff_reviewer, nothing_changes):
    for user in (security_official, outsider, staff_reviewer):
        with nothing_changes(), pytest.raises(PermissionDenied):
            role_request_withdraw(role_request=waiting, by=user)


def test_a_decided_request_cannot_be_withdrawn(waiting, security_official, nothing_changes):
    role_request_approve(role_request=waiting, by=security_official)

    with nothing_changes(), pytest.raises(RegistrationRefused, match="already approved"):
        role_request_withdraw(role_request=waiting, by=waiting.user)


def test_a_withdrawn_request_can_no_longer_be_approved(waiting, security_official):
    role_request_withdraw(role_request=waiting, by=waiting.user)

    with pytest.raises(RegistrationRefused, match="already withdrawn"):
        role_request_approve(role_request=waiting, by=security_official)


# --- The approvers hear of it [issue 29 #4] -------------------------------------------------------------


@pytest.fixture
def asked(practice, security_official, second_official, staff_user, committed):
    """Nora Quinn's request, of which both Security Officials (not the Staff User) were told."""
    newcomer = UserFactory(
        username="newcomer", first_name="Nora", last_name="Quinn", email="nora@example.com"
    )
    with committed():
        role_request = role_request_create(user=newcomer, organization=practice, role=Role.Kind.STAFF_USER)
    notified = sorted(m.to[0] for m in mail.outbox if m.subject.startswith("Nora Quinn requests"))
    assert notified == ["so-two@example.com", "so-user@example.com"]
    mail.outbox.clear()
    return role_request


def test_withdrawing_emails_each_notified_security_official_once_after_commit(
    asked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        role_request_withdraw(role_request=asked, by=asked.user)
        assert mail.outbox == []
    for callback in callbacks:
        callback()

    # Not the requester, nor the Staff User: only the Security Officials who were asked.
    assert sorted(m.to for m in mail.outbox) == [["so-two@example.com"], ["so-user@example.com"]]
    message = next(m for m in mail.outbox if m.to == ["so-user@example.com"])
    assert message.subject == (
        "Nora Quinn withdrew the request for the Staff User role for Chesapeake Family Medicine"
    )
    body = " ".join(message.body.split())
    assert "Dear Sam Official," in body
    assert (
        "Nora Quinn (User ID newcomer) withdrew the request to be connected to Chesapeake Family Medicine "
        "(TIN ***-**-6789) with the Staff User role."
    ) in body
    assert "Nothing needs doing" in body
    assert "123456789" not in body + message.alternatives[0][0]
