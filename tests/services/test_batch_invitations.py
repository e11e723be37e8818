"""invitations_create / invitations_accept: one person invited to be a Security Official of many
organizations with one form, and accepting them all at once (issue 27 #5)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from organizations.batch_invitations import (
    NOT_FOR_YOU,
    NOT_YOURS,
    invitations_accept,
    invitations_create,
    invitations_for,
)
from organizations.invitations import invitation_create
from organizations.models import Role, RoleRequest, SecurityOfficialInvitation
from qpp_registration.core.exceptions import RegistrationRefused
from tests.factories import OrganizationFactory, RoleFactory, UserFactory

SO = Role.Kind.SECURITY_OFFICIAL
KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


@pytest.fixture
def clinics(security_official, practice):
    """``practice`` and three more organizations ``security_official`` is the only Security Official of."""
    return [practice] + [
        RoleFactory(user=security_official, kind=SO, organization__name=f"Clinic {n}").organization
        for n in range(3)
    ]


def _sent():
    return sorted((message.to[0], message.subject) for message in mail.outbox)


def test_one_submission_invites_to_each_organization_with_history_and_one_email_each(
    security_official, clinics, committed
):
    with committed():
        outcomes = invitations_create(
            email=" Ines@Example.com ", organization_ids={o.pk for o in clinics}, by=security_official
        )
        assert mail.outbox == []  # nothing leaves before the transaction commits

    assert [outcome.organization for outcome in outcomes] == sorted(clinics, key=lambda o: o.pk)
    assert all(outcome.refusal == "" for outcome in outcomes)
    invitations = SecurityOfficialInvitation.objects.filter(email="ines@example.com", status="pending")
    assert {i.organization_id for i in invitations} == {o.pk for o in clinics}
    for invitation in invitations:
        assert invitation.history.get().history_user == security_official
    assert _sent() == sorted(
        ("ines@example.com", f"You are invited to be a Security Official of {o.name}") for o in clinics
    )


def test_a_refusal_for_one_organization_holds_up_no_other(security_official, clinics, committed):
    """Ines is already a Security Official of Clinic 1: nothing is written or sent for it."""
    already = clinics[2]
    RoleFactory(organization=already, kind=SO, user=UserFactory(email="ines@example.com"))

    with committed():
        outcomes = invitations_create(
            email="ines@example.com", organization_ids={o.pk for o in clinics}, by=security_official
        )

    refused = [outcome for outcome in outcomes if outcome.invitation is None]
    assert [(o.organization, o.refusal) for o in refused] == [
        (already, f"ines@example.com already belongs to a Security Official of {already.name}.")
    ]
    assert not SecurityOfficialInvitation.objects.filter(organization=already).exists()
    assert not SecurityOfficialInvitation.history.filter(organization=already).exists()
    assert SecurityOfficialInvitation.objects.count() == len(clinics) - 1
    assert len(mail.outbox) == len(clinics) - 1
    assert already.name not in " ".join(message.subject for message in mail.outbox)


@pytest.mark.parametrize("role", [Role.Kind.STAFF_USER, None])
def test_an_organization_the_user_is_not_security_official_of_is_refused_unnamed_and_nothing_is_sent(
    role, security_official, clinics, committed
):
    other = OrganizationFactory(name="Zeta Hidden Clinic")
    if role:
        RoleFactory(user=security_official, organization=other, kind=role)

    with committed(), pytest.raises(RegistrationRefused) as refused:
        invitations_create(
            email="ines@example.com",
            organization_ids={clinics[0].pk, other.pk, 999_999},
            by=security_official,
        )

    assert refused.value.reason == NOT_YOURS and refused.value.field == "organizations"
    assert "Zeta" not in refused.value.reason and str(other.pk) not in refused.value.reason
    assert not SecurityOfficialInvitation.objects.exists()
    assert not SecurityOfficialInvitation.history.exists()
    assert mail.outbox == []


def test_select_all_is_every_organization_the_user_is_security_official_of(
    security_official, clinics, committed
):
    RoleFactory(user=security_official, kind=Role.Kind.STAFF_USER)  # not one to invite to
    shared = RoleFactory(user=security_official, kind=SO).organization
    RoleFactory(organization=shared, kind=SO)  # a second Security Official: not "sole"

    with committed():
        every = invitations_create(email="ines@example.com", every=True, by=security_official)
        sole = invitations_create(email="omar@example.com", only_sole=True, by=security_official)

    assert {o.organization for o in every} == {*clinics, shared}
    assert {o.organization for o in sole} == set(clinics)


def test_the_same_form_sent_twice_invites_once(security_official, clinics, committed):
    ids = {o.pk for o in clinics}
    with committed():
        first = invitations_create(
            email="ines@example.com", organization_ids=ids, by=security_official, submission_key=KEY
        )
    with committed():
        again = invitations_create(
            email="ines@example.com", organization_ids=ids, by=security_official, submission_key=KEY
        )

    assert [o.invitation for o in again] == [o.invitation for o in first]
    assert SecurityOfficialInvitation.objects.count() == len(clinics)
    assert SecurityOfficialInvitation.objects.filter(status="pending").count() == len(clinics)
    assert SecurityOfficialInvitation.history.count() == len(clinics)
    assert len(mail.outbox) == len(clinics)


def test_a_bad_address_or_no_organization_is_refused_before_anything_is_written(security_official, clinics):
    with pytest.raises(ValidationError) as bad_address:
        invitations_create(email="ines at example", organization_ids={clinics[0].pk}, by=security_official)
    with pytest.raises(ValidationError) as nothing_chosen:
        invitations_create(email="ines@example.com", by=security_official)

    assert "email" in bad_address.value.message_dict
    assert "organizations" in nothing_chosen.value.message_dict
    assert not SecurityOfficialInvitation.objects.exists()


# --- Accepting them all ------------------------------------------------------------------------------


@pytest.fixture
def invited(security_official, clinics, invitee):
    invitations_create(email=invitee.email, organization_ids={o.pk for o in clinics}, by=security_official)
    mail.outbox.clear()
    return list(SecurityOfficialInvitation.objects.order_by("organization_id"))


def test_the_invited_person_accepts_all_at_once(security_official, clinics, invitee, invited, committed):
    assert list(invitations_for(invitee)) == sorted(invited, key=lambda i: (i.organization.name, i.pk))

    with committed():
        outcomes = invitations_accept(invitation_ids={i.pk for i in invited}, user=invitee)

    assert all(outcome.invitation is not None for outcome in outcomes)
    assert set(Role.objects.filter(user=invitee, kind=SO).values_list("organization_id", flat=True)) == {
        o.pk for o in clinics
    }
    assert (
        RoleRequest.objects.filter(user=invitee, status="approved", decided_by=security_official).count() == 4
    )
    assert set(SecurityOfficialInvitation.objects.values_list("status", flat=True)) == {"accepted"}
    assert [m.to for m in mail.outbox] == [[security_official.email]] * len(clinics)
    assert list(invitations_for(invitee)) == []


def test_an_invitation_that_can_no_longer_be_accepted_holds_up_no_other(clinics, invitee, invited, committed):
    expired = invited[0]
    SecurityOfficialInvitation.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    with committed():
        outcomes = invitations_accept(invitation_ids={i.pk for i in invited}, user=invitee)

    [refused] = [o for o in outcomes if o.invitation is None]
    assert refused.organization == expired.organization
    assert refused.refusal.startswith("This invitation expired on")
    assert not Role.objects.filter(user=invitee, organization=expired.organization).exists()
    assert Role.objects.filter(user=invitee, kind=SO).count() == len(clinics) - 1


def test_an_invitation_sent_to_someone_else_is_refused_unnamed_and_nothing_is_accepted(
    security_official, practice, invitee, invited, committed
):
    someone_elses = invitation_create(
        organization=practice, email="omar@example.com", by=security_official, now=timezone.now()
    )

    with committed(), pytest.raises(RegistrationRefused) as refused:
        invitations_accept(invitation_ids={invited[1].pk, someone_elses.pk}, user=invitee)

    assert refused.value.reason == NOT_FOR_YOU
    assert not Role.objects.filter(user=invitee).exists()
    assert SecurityOfficialInvitation.objects.filter(status="accepted").count() == 0
