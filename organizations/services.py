"""Writes to organizations and to who holds a role for them.

CMS staff keep the organization records in admin. What a Security Official may
edit (the name and mailing address, never the identifier [2020 §IV.4]) is edited
from a registration page, inside that year's window, so it is a registration
workflow: ``registrations.detail_services.organization_update``.

Role requests ("Connect to an Organization" [2020 §II]) are access
management, not registration, so no window applies: an existing Security
Official of the organization approves or rejects them, or CMS staff in admin
(always allowed, and the only way for an organization without a Security
Official yet). The requester hears the outcome by e-mail; the organization's
Security Officials hear of a new request (staff see the admin queue instead).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from organizations import emails, own_requests
from organizations.authorization import is_security_official, is_service_center_staff
from organizations.models import Organization, Role, RoleRequest
from qpp_registration.core.exceptions import RegistrationRefused
from qpp_registration.core.history import delete_with_history, save_with_history

ROLE_DECISION_PERMISSION = "organizations.change_rolerequest"
ROLE_REMOVAL_PERMISSION = "organizations.delete_role"
# The history of a Security Official's removed role (simple-history keeps 100 characters).
SECURITY_OFFICIAL_REMOVED = (
    "Security Official role removed; they and the remaining Security Officials were e-mailed"
)


def organization_save_by_staff(*, organization, by, changed_fields=()):
    """CMS staff add an organization to the records or correct one, in admin.

    No registration window applies: staff keep the records CMS holds all year. The
    model's validation (TIN of 9 digits, US state, ZIP) runs before anything is saved, and
    its ``save`` refuses a changed kind or identifier [2020 §IV.4].
    """
    adding = organization.pk is None
    permission = "organizations.add_organization" if adding else "organizations.change_organization"
    if not (by.is_active and by.is_staff and by.has_perm(permission)):
        raise PermissionDenied("Only CMS staff who may maintain organizations can do this.")
    organization.full_clean()
    if adding:
        reason = "Added by CMS staff"
    else:
        labels = [str(Organization._meta.get_field(name).verbose_name) for name in changed_fields]
        reason = f"Corrected by CMS staff: {', '.join(labels)}" if labels else "Saved by CMS staff"
    save_with_history(organization, by=by, reason=reason)
    return organization


# --- Roles ------------------------------------------------------------------------------------------


def role_request_create(*, user, organization, role):
    """Ask for the Security Official or Staff User role of ``organization`` [2020 §II]."""
    if not (user is not None and user.is_authenticated and user.is_active):
        raise PermissionDenied("Sign in to request a role.")
    if role not in Role.Kind.values:
        raise ValidationError({"role": "Choose Security Official or Staff User."})
    role = Role.Kind(role)

    with transaction.atomic():
        organization = Organization.objects.select_for_update().order_by().get(pk=organization.pk)
        existing = Role.objects.filter(user=user, organization=organization).order_by().first()
        if existing is not None and (existing.kind == role or existing.is_security_official):
            raise RegistrationRefused(
                f"You already have the {existing.get_kind_display()} role for {organization.name}."
            )
        pending = RoleRequest.objects.filter(
            user=user, organization=organization, status=RoleRequest.Status.PENDING
        ).first()
        if pending is not None:
            raise RegistrationRefused(
                f"Your request for the {pending.get_role_display()} role for {organization.name} is "
                "waiting for approval."
            )
        role_request = RoleRequest(user=user, organization=organization, role=role)
        save_with_history(role_request, by=user, reason="Role requested")

        recipients = own_requests.approvers_to_notify(role_request)
        emails.notify_role_request_received(role_request=role_request, recipients=recipients)
        own_requests.acknowledge(role_request=role_request, has_security_official=bool(recipients))
    return role_request


def role_request_approve(*, role_request, by):
    """Approve: the requester gets (or is moved to) the requested role."""
    with transaction.atomic():
        role_request = _lock_pending_request(role_request, by=by)
        organization = role_request.organization
        role = (
            Role.objects.select_for_update().filter(user=role_request.user, organization=organization).first()
        )
        if role is None:
            role = Role(user=role_request.user, organization=organization)
        elif role.is_security_official and role_request.role != Role.Kind.SECURITY_OFFICIAL:
            _require_another_security_official(organization, excluding=role)
        role.kind = role_request.role
        save_with_history(role, by=by, reason="Role request approved")
        _decide(role_request, by=by, status=RoleRequest.Status.APPROVED, note="")
    return role


def role_request_reject(*, role_request, by, note=""):
    """Reject, optionally saying why; the requester is told."""
    note = (note or "").strip()
    max_length = RoleRequest._meta.get_field("decision_note").max_length
    if len(note) > max_length:
        raise ValidationError({"decision_note": f"Keep the note to {max_length} characters or fewer."})
    with transaction.atomic():
        role_request = _lock_pending_request(role_request, by=by)
        _decide(role_request, by=by, status=RoleRequest.Status.REJECTED, note=note)
    return role_request


def role_remove(*, role, by):
    """Remove someone's role; an organization always keeps one Security Official.

    Removing a Security Official's role is never silent: the person removed and every remaining
    Security Official are e-mailed, so that an official removed by one they approved, or by
    anyone else, hears of it, and the role's history says they were told.
    """
    organization = role.organization
    with transaction.atomic():
        # The organization row serializes role changes: two removals at once cannot
        # each count the other Security Official and leave none, and the remover's
        # own role is checked after any concurrent change has committed.
        organization = Organization.objects.select_for_update().order_by().get(pk=organization.pk)
        leaving = role.user_id == getattr(by, "pk", None) and by.is_active
        by_official = is_security_official(by, organization)
        if not (leaving or by_official or is_service_center_staff(by, ROLE_REMOVAL_PERMISSION)):
            raise PermissionDenied(
                "Only a Security Official of this organization or CMS staff can remove a role."
            )
        try:
            role = Role.objects.select_for_update().select_related("user").order_by().get(pk=role.pk)
        except Role.DoesNotExist:
            raise RegistrationRefused("This role was already removed.") from None
        if not role.is_security_official:
            delete_with_history(role, by=by, reason="Role removed")
            return
        _require_another_security_official(organization, excluding=role)
        remaining = [
            other.user
            for other in Role.objects.filter(
                organization=organization, kind=Role.Kind.SECURITY_OFFICIAL, user__is_active=True
            )
            .exclude(pk=role.pk)
            .select_related("user")
            .order_by("user__username")
        ]
        delete_with_history(role, by=by, reason=SECURITY_OFFICIAL_REMOVED)
        emails.notify_security_official_removed(
            organization=organization,
            removed=role.user,
            by=by,
            by_service_center=not (leaving or by_official),
            remaining=remaining,
        )


def _lock_pending_request(role_request, *, by):
    """Lock the organization, then the request; check it is pending and ``by`` may decide."""
    organization = role_request.organization
    if by is not None and role_request.user_id == by.pk:
        raise PermissionDenied("You cannot decide your own role request.")
    # Locked before checking the approver's role, so a role removed a moment ago counts.
    Organization.objects.select_for_update().order_by().get(pk=organization.pk)
    if not (is_security_official(by, organization) or is_service_center_staff(by, ROLE_DECISION_PERMISSION)):
        raise PermissionDenied(
            "Only a Security Official of this organization or CMS staff can decide this request."
        )
    role_request = (
        RoleRequest.objects.select_for_update(of=("self",))
        .select_related("user", "organization")
        .get(pk=role_request.pk)
    )
    if role_request.status != RoleRequest.Status.PENDING:
        raise RegistrationRefused(f"This request was already {role_request.get_status_display().lower()}.")
    return role_request


def _decide(role_request, *, by, status, note):
    role_request.status = status
    role_request.decided_by = by
    role_request.decided_at = timezone.now()
    role_request.decision_note = note
    save_with_history(role_request, by=by, reason=f"Role request {role_request.get_status_display().lower()}")
    emails.notify_role_request_decided(role_request=role_request)


def _require_another_security_official(organization, *, excluding):
    others = (
        Role.objects.select_for_update()
        .order_by()
        .filter(organization=organization, kind=Role.Kind.SECURITY_OFFICIAL)
        .exclude(pk=excluding.pk)
    )
    if not others.exists():
        raise RegistrationRefused(
            f"{organization.name} must keep at least one Security Official. Another person needs the "
            "Security Official role before this one can be removed."
        )
