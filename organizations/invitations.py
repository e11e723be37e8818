"""Access that survives turnover: a Security Official invites a second one by e-mail.

An organization whose only Security Official leaves cannot register until the QPP
Service Center steps in, so a sole Security Official is warned and offered a
one-step invitation (``invitation_create``). The invitation is the inviter's
approval: the invited person opens the signed link, which expires after
``INVITATION_VALID_DAYS``, signs in (or creates an account first) with an
account whose confirmed e-mail address is the invited one, and accepts
(``invitation_accept``). Accepting records a role request approved by the
inviter and grants the Security Official role, in one transaction with history.
Each service locks the organization row first, as the role services do, so
role changes for one organization happen one at a time.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.urls import reverse
from django.utils import dateformat, timezone

from organizations.authorization import is_security_official
from qpp_registration.core.exceptions import RegistrationRefused
from qpp_registration.core.history import save_with_history
from qpp_registration.core.links import portal_url

from . import emails
from .models import Organization, Role, RoleRequest, SecurityOfficialInvitation

INVITATION_VALID_DAYS = 7
TOKEN_SALT = "organizations.security-official-invitation"  # noqa: S105 (a signing namespace, not a secret)
# The invitation a signed-out visitor opened, kept in the session so that a new user
# lands on it again after creating the account, confirming the e-mail address and
# setting up two-factor (e-mailed links in between lose any ``next``).
SESSION_KEY = "organizations.invitation_token"

Status = SecurityOfficialInvitation.Status


# --- Links -------------------------------------------------------------------------------------------


def invitation_url(invitation):
    """The path of the invitation's signed link."""
    return reverse("invitation_accept", args=[signing.dumps(invitation.pk, salt=TOKEN_SALT)])


def get_invitation_from_token(token):
    """The invitation a link names; ``Http404`` for a link that was not made by the portal.

    An expired or closed invitation is returned as it is: the page says what became of it.
    """
    try:
        pk = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        raise Http404("No invitation found.") from None
    invitation = (
        SecurityOfficialInvitation.objects.select_related("organization", "invited_by").filter(pk=pk).first()
    )
    if invitation is None:
        raise Http404("No invitation found.")
    return invitation


def remember_for_after_sign_in(session, token):
    """Keep a genuine link (any other is not worth a redirect after sign-in)."""
    try:
        signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return
    session[SESSION_KEY] = token


def take_remembered(session):
    """The path of the invitation remembered in ``session`` (forgotten now), or None."""
    token = session.pop(SESSION_KEY, None)
    return reverse("invitation_accept", args=[token]) if token else None


# --- Reads -------------------------------------------------------------------------------------------


def is_expired(invitation, now=None):
    return invitation.status == Status.PENDING and invitation.expires_at <= (now or timezone.now())


# What became of an invitation, for staff: its stored status, except that a pending one past
# ``expires_at`` is expired (nothing rewrites the row when the day passes).
EXPIRED = "expired"
STATES = [
    (Status.PENDING.value, Status.PENDING.label),
    (EXPIRED, "Expired"),
    (Status.ACCEPTED.value, Status.ACCEPTED.label),
    (Status.WITHDRAWN.value, Status.WITHDRAWN.label),
]


def state_label(invitation, now=None):
    return dict(STATES)[EXPIRED if is_expired(invitation, now) else invitation.status]


def in_state(queryset, state, *, now=None):
    """The invitations of ``queryset`` in ``state`` (one of ``STATES``), as ``state_label`` reads them."""
    now = now or timezone.now()
    if state == Status.PENDING:
        return queryset.filter(status=Status.PENDING, expires_at__gt=now)
    if state == EXPIRED:
        return queryset.filter(status=Status.PENDING, expires_at__lte=now)
    return queryset.filter(status=state)


def official_organizations(user, *, now=None):
    """The organizations whose Security Official ``user`` is, each with ``sole`` (``user`` is
    their only one) and ``invitation_pending`` (an unexpired invitation waits for acceptance):
    a lazy queryset."""
    now = now or timezone.now()
    others = Role.objects.filter(organization=OuterRef("pk"), kind=Role.Kind.SECURITY_OFFICIAL).exclude(
        user=user
    )
    return Organization.objects.filter(roles__user=user, roles__kind=Role.Kind.SECURITY_OFFICIAL).annotate(
        sole=~Exists(others),
        invitation_pending=Exists(waiting_invitations(now=now).filter(organization=OuterRef("pk"))),
    )


def sole_official_organizations(user, *, now=None):
    """Organizations whose only Security Official is ``user``, each with ``invitation_pending``:
    a lazy queryset, so that a page reads only the few it shows. Home reads them with the user's
    other Security Official roles (``page_reads.sole_official_summary``)."""
    return official_organizations(user, now=now).filter(sole=True).order_by("name", "pk")


def waiting_invitations(*, now=None):
    """Unexpired invitations waiting for acceptance, oldest first (a lazy queryset). Manage
    Access reads those of its page (``page_reads.invitations_of_page``)."""
    return SecurityOfficialInvitation.objects.filter(
        status=Status.PENDING, expires_at__gt=now or timezone.now()
    ).order_by("invited_at", "pk")


def get_waiting_invitation(organization, pk):
    """A pending invitation of ``organization`` (already fetched for its Security Official)."""
    invitation = (
        SecurityOfficialInvitation.objects.filter(organization=organization, pk=pk, status=Status.PENDING)
        .select_related("organization")
        .first()
    )
    if invitation is None:
        raise Http404("No invitation found.")
    return invitation


def _has_confirmed_address(user, email):
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def is_addressed_to(invitation, user):
    """Was ``invitation`` sent to a confirmed e-mail address of ``user``'s account?"""
    return _has_confirmed_address(user, invitation.email)


def masked_address(invitation):
    """``j***@example.com``: enough for the right person to recognise, not to read off."""
    local, _, domain = invitation.email.partition("@")
    return f"{local[:1]}***@{domain}"


# --- Writes ------------------------------------------------------------------------------------------


def clean_address(email):
    """The address to invite, trimmed and in lower case; ``ValidationError`` (field ``email``) for
    one that is not an e-mail address."""
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": ["Enter an e-mail address, like name@example.com."]}) from None
    return email.lower()


def invitation_create(*, organization, email, by, submission_key=None, now=None):
    """Invite ``email`` to become a Security Official of ``organization``; ``by`` is one.

    An earlier invitation of the same address still waiting is replaced: only the newest
    link works. Raises ``ValidationError`` (field ``email``) for a bad address and
    ``RegistrationRefused`` when the address is already a Security Official's.

    ``submission_key``: the invitation form's one-time key (``core.submission_keys``). The form
    sent again with it returns the invitation it sent, as it is now: no second e-mail, and the
    first link keeps working.
    """
    now = now or timezone.now()
    email = clean_address(email)

    with transaction.atomic():
        Organization.objects.select_for_update().order_by().get(pk=organization.pk)
        if not is_security_official(by, organization):
            raise PermissionDenied("Only a Security Official of this organization can invite another one.")
        if submission_key:
            # Under the organization's lock: a second request with the key waits for the first
            # to commit, then finds its invitation.
            sent = SecurityOfficialInvitation.objects.filter(
                organization=organization, submission_key=submission_key
            ).first()
            if sent is not None:
                return sent
        officials = Role.objects.filter(organization=organization, kind=Role.Kind.SECURITY_OFFICIAL)
        if (
            officials.filter(user__email__iexact=email).exists()
            or EmailAddress.objects.filter(email__iexact=email, user__in=officials.values("user_id")).exists()
        ):
            raise RegistrationRefused(
                f"{email} already belongs to a Security Official of {organization.name}.", field="email"
            )
        for earlier in SecurityOfficialInvitation.objects.select_for_update().filter(
            organization=organization, email=email, status=Status.PENDING
        ):
            _close(earlier, status=Status.WITHDRAWN, by=by, now=now, reason="Replaced by a new invitation")
        invitation = SecurityOfficialInvitation(
            organization=organization,
            email=email,
            invited_by=by,
            expires_at=now + timedelta(days=INVITATION_VALID_DAYS),
            submission_key=submission_key or "",
        )
        save_with_history(invitation, by=by, reason="Security Official invited")
        emails.notify_invitation(
            invitation=invitation,
            link=portal_url(invitation_url(invitation)),
            has_account=EmailAddress.objects.filter(email__iexact=email, verified=True).exists(),
        )
    return invitation


def invitation_accept(*, invitation, user, now=None):
    """``user`` accepts: a role request approved by the inviter, and the Security Official role.

    Refused (``RegistrationRefused``, saying why and what to do) when the invitation is no
    longer open, was sent to another address than the account's confirmed ones, or the
    inviter is no longer a Security Official of the organization.
    """
    now = now or timezone.now()
    if not (user is not None and user.is_authenticated and user.is_active):
        raise PermissionDenied("Sign in to accept the invitation.")
    organization = invitation.organization
    with transaction.atomic():
        Organization.objects.select_for_update().order_by().get(pk=organization.pk)
        invitation = (
            SecurityOfficialInvitation.objects.select_for_update(of=("self",))
            .select_related("organization", "invited_by")
            .get(pk=invitation.pk)
        )
        reason = closed_reason(invitation, now)
        if reason:
            raise RegistrationRefused(reason)
        if not is_addressed_to(invitation, user):
            raise RegistrationRefused(
                f"This invitation was sent to {masked_address(invitation)}, which is not a confirmed e-mail "
                "address of your account. Sign in with the account that has that address, or ask for an "
                "invitation to yours."
            )
        inviter = invitation.invited_by
        if not is_security_official(inviter, organization):
            raise RegistrationRefused(
                f"{inviter.get_full_name() or inviter.username} is no longer a Security Official of "
                f"{organization.name}, so the invitation no longer counts. Ask one of its Security Officials "
                "to invite you again, or request the role with Connect to an Organization."
            )
        role = Role.objects.select_for_update().filter(user=user, organization=organization).first()
        if role is not None and role.is_security_official:
            raise RegistrationRefused(f"You already are a Security Official of {organization.name}.")

        for waiting in RoleRequest.objects.select_for_update().filter(
            user=user, organization=organization, status=RoleRequest.Status.PENDING
        ):
            waiting.status = RoleRequest.Status.WITHDRAWN
            waiting.decided_by, waiting.decided_at = user, now
            save_with_history(
                waiting, by=user, reason="Closed: invitation to be a Security Official accepted"
            )
        approved = RoleRequest(
            user=user,
            organization=organization,
            role=Role.Kind.SECURITY_OFFICIAL,
            status=RoleRequest.Status.APPROVED,
            decided_by=inviter,
            decided_at=now,
            decision_note=f"Invited by {inviter.username} on {_day(invitation.invited_at)}.",
        )
        save_with_history(approved, by=user, reason="Invitation accepted: approved by the inviter")
        if role is None:
            role = Role(user=user, organization=organization)
        role.kind = Role.Kind.SECURITY_OFFICIAL
        save_with_history(
            role, by=user, reason=f"Security Official invitation from {inviter.username} accepted"
        )
        invitation.accepted_by = user
        _close(invitation, status=Status.ACCEPTED, by=user, now=now, reason="Invitation accepted")
        emails.notify_invitation_accepted(invitation=invitation)
    return role


def invitation_withdraw(*, invitation, by, now=None):
    """A Security Official of the organization withdraws an invitation still waiting (a mistyped
    address, someone who left): its link stops working at once."""
    now = now or timezone.now()
    with transaction.atomic():
        Organization.objects.select_for_update().order_by().get(pk=invitation.organization_id)
        if not is_security_official(by, invitation.organization):
            raise PermissionDenied(
                "Only a Security Official of this organization can withdraw an invitation."
            )
        invitation = SecurityOfficialInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status != Status.PENDING:
            raise RegistrationRefused(
                f"This invitation was already {invitation.get_status_display().lower()}."
            )
        _close(invitation, status=Status.WITHDRAWN, by=by, now=now, reason="Invitation withdrawn")
    return invitation


def closed_reason(invitation, now=None):
    """Why ``invitation`` can no longer be accepted, for the person holding the link; None while open."""
    if invitation.status == Status.ACCEPTED:
        return "This invitation was already accepted."
    if invitation.status == Status.WITHDRAWN:
        return (
            "This invitation no longer works: a newer one was sent, or it was withdrawn. Use the newest "
            "invitation e-mail, or ask a Security Official of the organization to invite you again."
        )
    if is_expired(invitation, now):
        return (
            f"This invitation expired on {_day(invitation.expires_at)}. Ask a Security Official of the "
            "organization to invite you again."
        )
    return None


def _day(moment):
    return dateformat.format(timezone.localtime(moment), "F j, Y")


def _close(invitation, *, status, by, now, reason):
    invitation.status = status
    invitation.closed_at = now
    save_with_history(invitation, by=by, reason=reason)
