"""Role changes racing each other [SPEC §8]: a withdrawal against an approval, and an
invitation accepted while its inviter loses the Security Official role. On PostgreSQL
the second change waits for the first one's lock on the organization row and then sees
what it did (``test_concurrency.one_after_another_while_first_holds_its_locks``)."""

import pytest

from organizations.invitations import invitation_accept, invitation_create
from organizations.models import Role, RoleRequest
from organizations.own_requests import role_request_withdraw
from organizations.services import role_remove, role_request_approve
from qpp_registration.core.exceptions import RegistrationRefused
from tests.factories import RoleRequestFactory, UserFactory
from tests.services.test_concurrency import one_after_another_while_first_holds_its_locks

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_withdrawal_and_an_approval_at_once_leave_one_decision(practice, security_official):
    waiting = RoleRequestFactory(organization=practice, user=UserFactory(username="racer"))

    withdrawn, approved = one_after_another_while_first_holds_its_locks(
        lambda: role_request_withdraw(role_request=waiting, by=waiting.user),
        lambda: role_request_approve(role_request=waiting, by=security_official),
    )

    assert withdrawn.get().status == RoleRequest.Status.WITHDRAWN
    with pytest.raises(RegistrationRefused, match="already withdrawn"):
        approved.get()
    waiting.refresh_from_db()
    assert waiting.status == RoleRequest.Status.WITHDRAWN
    assert not Role.objects.filter(user=waiting.user).exists()


def test_an_invitation_accepted_while_the_inviter_is_removed_grants_nothing(
    practice, security_official, second_official, invitee
):
    invitation = invitation_create(organization=practice, email=invitee.email, by=security_official)
    inviter_role = Role.objects.get(user=security_official, organization=practice)

    removed, accepted = one_after_another_while_first_holds_its_locks(
        lambda: role_remove(role=inviter_role, by=second_official),
        lambda: invitation_accept(invitation=invitation, user=invitee),
    )

    removed.get()
    with pytest.raises(RegistrationRefused, match="is no longer a Security Official"):
        accepted.get()
    assert not Role.objects.filter(user=invitee).exists()
