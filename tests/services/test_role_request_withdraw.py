"""role_request_withdraw: the requester, and nobody else, withdraws a request still waiting."""

import pytest
from django.core.exceptions import PermissionDenied

from organizations.models import RoleRequest
from organizations.own_requests import role_request_withdraw
from organizations.services import role_request_approve
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
