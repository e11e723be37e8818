"""invitation_create / invitation_accept: a sole Security Official invites a second one by e-mail,
and the invited person accepts through the signed link."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from organizations import invitations
from organizations.invitations import invitation_accept, invitation_create
from organizations.models import Role, RoleRequest, SecurityOfficialInvitation
from qpp_registration.core.exceptions import RegistrationRefused
from tests.factories import RoleFactory, RoleRequestFactory, UserFactory

SO = Role.Kind.SECURITY_OFFICIAL


def _link_path(message):
    return re.search(r"https?://[^/\s]+(/organizations/invitations/[^\s/]+/)", message.body).group(1)


def test_invitation_is_saved_with_history_and_emailed_after_commit(practice, security_official, committed):
    with committed() as callbacks:
        invitation = invitation_create(
            organization=practice, email=" Ines@Example.com ", by=security_official
        )
        assert mail.outbox == []  # nothing leaves before the transaction commits

    assert callbacks
    assert (invitation.email, invitation.status, invitation.invited_by) == (
        "ines@example.com",
        SecurityOfficialInvitation.Status.PENDING,
        security_official,
    )
    lifetime = invitation.expires_at - invitation.invited_at
    assert abs(lifetime - timedelta(days=7)) < timedelta(seconds=1)
    assert invitation.history.get().history_user == security_official
    [message] = mail.outbox
    assert message.to == ["ines@example.com"]
    assert message.subject == "You are invited to be a Security Official of Chesapeake Family Medicine"
    assert "Sam Official" in message.body
    assert "***-**-6789" in message.body and "123456789" not in message.body
    assert "select Register to create an account, using this e-mail address" in message.body
    assert invitations.get_invitation_from_token(_link_path(message).split("/")[-2]) == invitation


def test_an_existing_account_is_told_to_sign_in(practice, security_official, invitee, committed):
    with committed():
        invitation_create(organization=practice, email="ines@example.com", by=security_official)

    assert "Sign in with your User ID when asked." in mail.outbox[0].body


def test_only_a_security_official_of_the_organization_invites(practice, staff_user, outsider):
    other = UserFactory(username="other-so")
    RoleFactory(user=other, kind=SO)  # a Security Official of another organization
    for user in (staff_user, outsider, other):
        with pytest.raises(PermissionDenied):
            invitation_create(organization=practice, email="ines@example.com", by=user)
    assert not SecurityOfficialInvitation.objects.exists()


def test_a_bad_address_is_refused_by_field(practice, security_official):
    with pytest.raises(ValidationError) as refused:
        invitation_create(organization=practice, email="not an address", by=security_official)

    assert refused.value.message_dict == {"email": ["Enter an e-mail address, like name@example.com."]}
    assert not SecurityOfficialInvitation.objects.exists()


def test_an_address_of_a_security_official_is_refused(practice, security_official):
    with pytest.raises(RegistrationRefused) as refused:
        invitation_create(organization=practice, email="SO-USER@example.com", by=security_official)

    assert refused.value.field == "email"
    assert "already belongs to a Security Official of Chesapeake Family Medicine" in refused.value.reason


def test_a_new_invitation_replaces_the_one_waiting_for_the_same_address(practice, security_official):
    first = invitation_create(organization=practice, email="ines@example.com", by=security_official)
    second = invitation_create(organization=practice, email="ines@example.com", by=security_official)

    first.refresh_from_db()
    assert first.status == SecurityOfficialInvitation.Status.WITHDRAWN
    assert first.history.first().history_change_reason == "Replaced by a new invitation"
    assert second.status == SecurityOfficialInvitation.Status.PENDING


def test_accepting_records_a_request_approved_by_the_inviter_and_grants_the_role(
    practice, security_official, invitee, committed
):
    invitation = invitation_create(organization=practice, email="ines@example.com", by=security_official)

    with committed():
        role = invitation_accept(invitation=invitation, user=invitee)

    assert (role.user, role.organization, role.kind) == (invitee, practice, SO)
    assert role.history.get().history_user == invitee
    request = RoleRequest.objects.get(user=invitee, organization=practice)
    assert (request.role, request.status, request.decided_by) == (SO, "approved", security_official)
    assert request.decision_note.startswith("Invited by so-user on ")
    invitation.refresh_from_db()
    assert (invitation.status, invitation.accepted_by) == ("accepted", invitee)
    assert mail.outbox[-1].to == [security_official.email]
    assert mail.outbox[-1].subject == "Ines Vance is now a Security Official of Chesapeake Family Medicine"


def test_a_staff_user_is_moved_to_security_official_and_their_waiting_request_closed(
    practice, security_official, invitee
):
    RoleFactory(user=invitee, organization=practice, kind=Role.Kind.STAFF_USER)
    waiting = RoleRequestFactory(user=invitee, organization=practice, role=SO)
    invitation = invitation_create(organization=practice, email="ines@example.com", by=security_official)

    invitation_accept(invitation=invitation, user=invitee)

    assert Role.objects.get(user=invitee, organization=practice).kind == SO
    waiting.refresh_from_db()
    assert waiting.status == RoleRequest.Status.WITHDRAWN


def test_an_account_without_the_invited_confirmed_address_is_refused(practice, security_official, outsider):
    invitation = invitation_create(organization=practice, email="ines@example.com", by=security_official)
    # The same address, typed in but never confirmed, does not count either.
    EmailAddress.objects.create(user=outsider, email="ines@example.com", verified=False, primary=False)

    with pytest.raises(RegistrationRefused) as refused:
        invitation_accept(invitation=invitation, user=outsider)

    assert "was sent to i***@example.com, which is not a confirmed e-mail address" in refused.value.reason
    assert not Role.objects.filter(user=outsider).exists()


def test_an_expired_invitation_is_refused(practice, security_official, invitee, time_machine):
    invitation = invitation_create(organization=practice, email="ines@example.com", by=security_official)
    time_machine.move_to(timezone.now() + timedelta(days=7, seconds=1))

    with pytest.raises(RegistrationRefused) as refused:
        invitation_accept(invitation=invitation, user=invitee)

    assert refused.value.reason.startswith("This invitation expired on ")
    assert not Role.objects.filter(user=invitee).exists()


def test_an_invitation_works_once(practice, security_official, invitee):
    invitation = invitation_create(organization=practice, email="ines@example.com", by=security_official)
    invitation_accept(invitation=invitation, user=invitee)
    Role.objects.filter(user=invitee).delete()

    with pytest.raises(RegistrationRefused, match="already accepted"):
        invitation_accept(invitation=invitation, user=invitee)


def test_the_invitation_lapses_when_the_inviter_is_no_longer_a_security_official(
    practice, security_official, second_official, invitee
):
    invitation = invitation_create(organization=practice, email="ines@example.com", by=security_official)
    Role.objects.filter(user=security_official).delete()

    with pytest.raises(RegistrationRefused, match="Sam Official is no longer a Security Official"):
        invitation_accept(invitation=invitation, user=invitee)
    assert not Role.objects.filter(user=invitee).exists()


def test_a_tampered_link_finds_nothing(practice, security_official):
    invitation = invitation_create(organization=practice, email="ines@example.com", by=security_official)
    token = invitations.invitation_url(invitation).split("/")[-2]

    with pytest.raises(Http404):
        invitations.get_invitation_from_token(token[:-1] + ("A" if token[-1] != "A" else "B"))


def test_sole_official_organizations_lists_only_those_without_another_official(
    practice, security_official, second_official
):
    alone = RoleFactory(user=security_official, kind=SO).organization

    assert list(invitations.sole_official_organizations(security_official)) == [alone]
    assert list(invitations.sole_official_organizations(second_official)) == []


def test_a_security_official_withdraws_an_invitation_and_its_link_stops_working(
    practice, security_official, second_official, invitee
):
    invitation = invitation_create(organization=practice, email="ines@example.com", by=security_official)

    invitations.invitation_withdraw(invitation=invitation, by=second_official)

    invitation.refresh_from_db()
    assert invitation.status == SecurityOfficialInvitation.Status.WITHDRAWN
    assert invitation.history.first().history_user == second_official
    with pytest.raises(RegistrationRefused, match="no longer works"):
        invitation_accept(invitation=invitation, user=invitee)


def test_only_a_security_official_of_the_organization_withdraws_an_invitation(
    practice, security_official, staff_user, invitee
):
    invitation = invitation_create(organization=practice, email="ines@example.com", by=security_official)
    elsewhere = RoleFactory(kind=SO).user

    for user in (staff_user, invitee, elsewhere):
        with pytest.raises(PermissionDenied):
            invitations.invitation_withdraw(invitation=invitation, by=user)
    invitation.refresh_from_db()
    assert invitation.status == SecurityOfficialInvitation.Status.PENDING
