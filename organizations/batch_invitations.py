"""Invitations to several organizations at once (issue 27 #5).

A Security Official of many organizations invites one person to be a second Security Official
of any set of them with one form (``invitations_create``), and the invited person, who gets one
e-mail and one link per organization, accepts them one at a time or all at once
(``invitations_accept``).

Both are the one-organization services (``invitations.invitation_create`` and
``invitation_accept``) called once per organization inside one transaction that these services
own, each call in a savepoint of its own (its own ``transaction.atomic``): an organization's
invitation or acceptance is written whole (the row, its history, its e-mail queued for after
the commit) or not at all, and a refusal for one organization (the address already belongs to a
Security Official there, an invitation expired) holds up no other. Organizations are locked in
id order, as the one-organization services lock them one at a time, so two batches for
overlapping organizations wait for each other instead of deadlocking.
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from qpp_registration.core.exceptions import RegistrationRefused

from . import invitations
from .authorization import remember_security_official
from .models import Organization, Role, SecurityOfficialInvitation

# Said of ids the user may not invite to (another's organization, a role removed since the page
# was drawn, a forged id), without saying which or what it is: nothing is sent then.
NOT_YOURS = (
    "You can invite a person only to organizations you are a Security Official of. Nothing was sent: "
    "select the organizations again."
)
NOT_FOR_YOU = (
    "Some of these invitations were not sent to your account. Nothing was accepted: open the "
    "invitation e-mail again."
)


@dataclass(frozen=True)
class Outcome:
    """What became of one organization of a batch: its ``invitation`` (sent, or accepted), or the
    reason it was refused (``refusal``, naming the organization)."""

    organization: Organization
    invitation: SecurityOfficialInvitation | None = None
    refusal: str = ""


def invitations_create(
    *, email, by, organization_ids=(), every=False, only_sole=False, submission_key=None, now=None
):
    """Invite ``email`` to become a Security Official of each organization chosen: those of
    ``organization_ids``, every organization ``by`` is a Security Official of (``every``, the
    form's *Select all*) and those they are the only one of (``only_sole``). Returns an
    ``Outcome`` for each, in id order.

    ``ValidationError`` for a bad address (field ``email``) or no organization chosen (field
    ``organizations``); ``RegistrationRefused`` (field ``organizations``, ``NOT_YOURS``) when any
    id is not of an organization ``by`` is a Security Official of: nothing is sent.

    ``submission_key``: the form's one-time key, stored on each organization's invitation. The
    form sent again returns the invitations it sent, as they are now: no second e-mail.
    """
    now = now or timezone.now()
    email = invitations.clean_address(email)
    wanted = set(organization_ids)
    with transaction.atomic():
        if every or only_sole:
            officials = invitations.official_organizations(by, now=now)
            if not every:
                officials = officials.filter(sole=True)
            wanted.update(officials.order_by().values_list("pk", flat=True))
        if not wanted:
            raise ValidationError({"organizations": ["Select the organizations to invite the person to."]})
        locked = list(Organization.objects.select_for_update().filter(pk__in=wanted).order_by("pk"))
        # The role is read after the lock: a role is removed under the same lock
        # (services.role_remove), so what is read now holds until the commit.
        official_of = set(
            Role.objects.filter(
                user=by, kind=Role.Kind.SECURITY_OFFICIAL, organization_id__in=[o.pk for o in locked]
            ).values_list("organization_id", flat=True)
        )
        if len(locked) != len(wanted) or len(official_of) != len(locked):
            raise RegistrationRefused(NOT_YOURS, field="organizations")
        outcomes = []
        for organization in locked:
            remember_security_official(by, organization)
            try:
                invitation = invitations.invitation_create(
                    organization=organization, email=email, by=by, submission_key=submission_key, now=now
                )
            except RegistrationRefused as refusal:
                outcomes.append(Outcome(organization, refusal=refusal.reason))
            else:
                outcomes.append(Outcome(organization, invitation))
    return outcomes


def invitations_for(user, *, now=None):
    """The invitations waiting for ``user``: unexpired, not yet accepted or withdrawn, sent to a
    confirmed e-mail address of their account; by organization name (a lazy queryset)."""
    addressed = EmailAddress.objects.filter(user=user, verified=True, email__iexact=OuterRef("email"))
    return (
        invitations.waiting_invitations(now=now)
        .filter(Exists(addressed))
        .select_related("organization", "invited_by")
        .order_by("organization__name", "organization_id", "pk")
    )


def invitations_accept(*, invitation_ids, user, now=None):
    """``user`` accepts each of the invitations ``invitation_ids`` (those the page showed them),
    each as ``invitations.invitation_accept`` does. Returns an ``Outcome`` for each, by
    organization id: accepted, or refused with the reason (closed since, the inviter no longer a
    Security Official, already one).

    ``RegistrationRefused`` (``NOT_FOR_YOU``) when any id is not of an invitation sent to a
    confirmed e-mail address of ``user``'s account: nothing is accepted, and nothing is said
    about that invitation.
    """
    now = now or timezone.now()
    if not (user is not None and user.is_authenticated and user.is_active):
        raise PermissionDenied("Sign in to accept the invitations.")
    wanted = set(invitation_ids)
    if not wanted:
        raise RegistrationRefused("Select the invitations to accept.")
    addressed = EmailAddress.objects.filter(user=user, verified=True, email__iexact=OuterRef("email"))
    with transaction.atomic():
        found = list(
            SecurityOfficialInvitation.objects.filter(Exists(addressed), pk__in=wanted)
            .select_related("organization", "invited_by")
            .order_by("organization_id", "pk")
        )
        if len(found) != len(wanted):
            raise RegistrationRefused(NOT_FOR_YOU)
        outcomes = []
        for invitation in found:
            try:
                invitations.invitation_accept(invitation=invitation, user=user, now=now)
            except RegistrationRefused as refusal:
                outcomes.append(Outcome(invitation.organization, refusal=refusal.reason))
            else:
                outcomes.append(Outcome(invitation.organization, invitation))
    return outcomes
