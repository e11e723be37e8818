"""Role requests the requester can follow: who can approve (by role, never by name),
how long the request has waited, an acknowledgement e-mail, and withdrawing it (the Security
Officials who were told of the request are told it was withdrawn).

Only the requester ever sees or withdraws a request here: ``get_own_request`` fetches it
through the signed-in user, and ``role_request_withdraw`` checks the requester again
inside its transaction.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from qpp_registration.core.emails import user_recipient
from qpp_registration.core.exceptions import RegistrationRefused
from qpp_registration.core.history import save_with_history
from qpp_registration.core.links import portal_url

from . import emails
from .models import Organization, Role, RoleRequest

SECURITY_OFFICIALS = "the organization’s Security Officials"
SERVICE_CENTER = "the QPP Service Center"


def who_can_approve(*, has_security_official):
    """Who decides a request: the organization's Security Officials, or the QPP Service
    Center (CMS staff in admin) for an organization that has none [2020 §II]."""
    return SECURITY_OFFICIALS if has_security_official else SERVICE_CENTER


def security_officials():
    """The Security Officials who can decide a request: active ones (a lazy queryset)."""
    return Role.objects.filter(kind=Role.Kind.SECURITY_OFFICIAL, user__is_active=True)


def approvers_to_notify(role_request):
    """The Security Officials e-mailed about ``role_request``, when it is made and when it is
    withdrawn: the organization's active ones, by user ID, never the requester."""
    officials = (
        security_officials()
        .filter(organization_id=role_request.organization_id)
        .exclude(user_id=role_request.user_id)
        .select_related("user")
        .order_by("user__username")
    )
    return [user_recipient(role.user) for role in officials]


def approvers_of(role_requests):
    """``who_can_approve`` for each request's organization, by request id (one query)."""
    with_official = set(
        security_officials()
        .filter(organization__in={r.organization_id for r in role_requests})
        .values_list("organization_id", flat=True)
    )
    return {
        r.pk: who_can_approve(has_security_official=r.organization_id in with_official) for r in role_requests
    }


def get_own_request(user, pk):
    """The role request ``pk`` if ``user`` made it; ``Http404`` otherwise."""
    role_request = RoleRequest.objects.filter(pk=pk, user=user).select_related("organization").first()
    if role_request is None:
        raise Http404("No role request found.")
    return role_request


def acknowledge(*, role_request, has_security_official):
    """E-mail the requester that the request arrived (queued in the caller's transaction)."""
    emails.notify_role_request_acknowledged(
        role_request=role_request,
        approvers=who_can_approve(has_security_official=has_security_official),
        link=portal_url(reverse("own_role_request", args=[role_request.pk])),
    )


def role_request_withdraw(*, role_request, by, now=None):
    """The requester withdraws a request still waiting for a decision."""
    if not (by is not None and by.is_authenticated and by.is_active and role_request.user_id == by.pk):
        raise PermissionDenied("Only the person who made a request can withdraw it.")
    with transaction.atomic():
        # The organization row orders this against an approval or rejection happening now.
        Organization.objects.select_for_update().order_by().get(pk=role_request.organization_id)
        role_request = (
            RoleRequest.objects.select_for_update(of=("self",))
            .select_related("user", "organization")
            .get(pk=role_request.pk)
        )
        if role_request.status != RoleRequest.Status.PENDING:
            raise RegistrationRefused(
                f"This request was already {role_request.get_status_display().lower()}: it cannot be "
                "withdrawn any more."
            )
        role_request.status = RoleRequest.Status.WITHDRAWN
        role_request.decided_by = by
        role_request.decided_at = now or timezone.now()
        save_with_history(role_request, by=by, reason="Role request withdrawn by the requester")
        emails.notify_role_request_withdrawn(
            role_request=role_request, recipients=approvers_to_notify(role_request)
        )
    return role_request
