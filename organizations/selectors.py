"""Reads about organizations and roles, always through the signed-in user's roles.

Every page that shows or changes an organization fetches it with
``get_organization_for_user``: a user who holds no (or not the required) role
gets a 404, exactly as if the organization did not exist, so guessing an ID
reveals nothing [SPEC §8].
"""

import re
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Q, Value
from django.http import Http404

from .authorization import remember_security_official
from .models import Organization, Role, RoleRequest

# The order of the user's roles on Manage Access; how many of each list Home shows.
_ROLES_ORDER = ("organization__name", "pk")
SHOWN_ON_HOME = 5
# How long a withdrawn request stays on its approvers' list, marked withdrawn, so that it does not
# vanish while one of them is about to decide it [issue 29 #4].
WITHDRAWN_LISTED_FOR = timedelta(days=1)


def get_organization_for_user(user, pk=None, *, identifier=None, kind=None, role=None):
    """The organization ``pk`` (or ``kind`` + ``identifier``) if ``user`` holds
    ``role`` for it (any role when ``role`` is None); ``Http404`` otherwise."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise Http404("No organization found.")
    if pk is None and identifier is None:
        raise ValueError("Give the organization's pk or its identifier.")
    roles = {"roles__user": user}
    if role is not None:
        roles["roles__kind"] = role
    organizations = Organization.objects.filter(**roles)
    if pk is not None:
        organizations = organizations.filter(pk=pk)
    if identifier is not None:
        organizations = organizations.filter(identifier=identifier)
    if kind is not None:
        organizations = organizations.filter(kind=kind)
    found = list(organizations[:2])
    if len(found) != 1:
        raise Http404("No organization found.")
    return found[0]


def other_role_than(user, organization_id, role):
    """The role ``user`` holds for organization ``organization_id`` other than ``role``, or None:
    a Staff User who opens a Security Official's page is told why it is closed to them."""
    if user is None or not user.is_authenticated or not -(2**63) <= organization_id < 2**63:
        return None  # no id (a URL takes any digits; SQLite refuses the larger ones)
    return (
        Role.objects.filter(user=user, organization_id=organization_id)
        .exclude(kind=role)
        .select_related("organization")
        .first()
    )


def get_organization_for_security_official(user, pk, *, changes):
    """The organization ``pk`` if ``user`` is its Security Official. A user with another role
    for it gets 403 saying why the page is closed to them ("Submitting, modifying or
    ``changes`` its registration needs the Security Official role" [2020 §III.6, 2023 §III.7]);
    anyone else 404, as if it did not exist."""
    try:
        organization = get_organization_for_user(user, pk, role=Role.Kind.SECURITY_OFFICIAL)
    except Http404:
        other = other_role_than(user, pk, Role.Kind.SECURITY_OFFICIAL)
        if other is None:
            raise
        raise PermissionDenied(
            f"You have the {other.get_kind_display()} role for {other.organization.name}: you can see its "
            f"registration status on Connected Organizations. Submitting, modifying or {changes} its "
            "registration needs the Security Official role."
        ) from None
    remember_security_official(user, organization)
    return organization


def roles_of_user(user):
    """The user's roles, organization by organization [2020 §III.4–5] (a queryset, to page).
    Manage Access reads them as ``RolesShown``."""
    return Role.objects.filter(user=user).select_related("organization").order_by(*_ROLES_ORDER)


def security_official_counts(organizations):
    counts = {organization.pk: 0 for organization in organizations}
    for organization_id in Role.objects.filter(
        organization__in=list(counts), kind=Role.Kind.SECURITY_OFFICIAL
    ).values_list("organization_id", flat=True):
        counts[organization_id] += 1
    return counts


def listed_requests_to_decide(user, *, withdrawn_since):
    """The requests on the list of a Security Official ``user`` decides from: those pending for
    organizations ``user`` is a Security Official of, and those withdrawn there at or after
    ``withdrawn_since`` (shown without Approve or Reject), oldest first (a lazy queryset). Home
    and Manage Access read them as ``requests_to_decide``."""
    pending_or_just_withdrawn = Q(status=RoleRequest.Status.PENDING) | Q(
        status=RoleRequest.Status.WITHDRAWN, decided_at__gte=Value(withdrawn_since)
    )
    return (
        RoleRequest.objects.filter(
            pending_or_just_withdrawn,
            organization__roles__user=user,
            organization__roles__kind=Role.Kind.SECURITY_OFFICIAL,
        )
        .exclude(user=user)
        .select_related("user", "organization")
        .order_by("requested_at", "pk")
    )


def get_request_to_decide(user, pk):
    """A pending request ``user`` may decide as a Security Official; ``Http404`` otherwise."""
    for role_request in RoleRequest.objects.filter(
        pk=pk,
        status=RoleRequest.Status.PENDING,
        organization__roles__user=user,
        organization__roles__kind=Role.Kind.SECURITY_OFFICIAL,
    ).select_related("user", "organization"):
        if role_request.user_id != user.pk:
            return role_request
    raise Http404("No role request found.")


def get_member_role_for_security_official(user, *, organization_pk, role_pk):
    """Another person's role in an organization where ``user`` is a Security Official."""
    organization = get_organization_for_user(user, organization_pk, role=Role.Kind.SECURITY_OFFICIAL)
    role = (
        Role.objects.filter(pk=role_pk, organization=organization)
        .exclude(user=user)
        .select_related("user", "organization")
        .first()
    )
    if role is None:
        raise Http404("No role found.")
    return role


def own_requests(user):
    """The user's own role requests, newest first (a queryset). Manage Access reads them as
    ``own_requests_with_approvers``."""
    return (
        RoleRequest.objects.filter(user=user).select_related("organization").order_by("-requested_at", "-pk")
    )


# --- Connect to an Organization ----------------------------------------------


def normalize_identifier(kind, identifier):
    identifier = (identifier or "").strip()
    if kind == Organization.Kind.PRACTICE:
        return re.sub(r"\D", "", identifier)
    return identifier.upper()


def _name_key(name):
    return re.sub(r"[^a-z0-9]", "", (name or "").lower())


def find_organization(*, kind, identifier, name):
    """The organization with exactly this identifier whose name matches, else None.

    Both must match [2020 §II]: the identifier alone (a TIN) is not enough to
    find an organization, and the name is compared ignoring case, spaces and
    punctuation.
    """
    identifier = normalize_identifier(kind, identifier)
    if not identifier:
        return None
    candidates = Organization.objects.filter(kind=kind, identifier=identifier).select_related("parent")
    wanted = _name_key(name)
    matches = [
        organization for organization in candidates if wanted and _name_key(organization.name) == wanted
    ]
    return matches[0] if len(matches) == 1 else None


def organizations_with_security_official(organizations):
    return set(
        Role.objects.filter(organization__in=organizations, kind=Role.Kind.SECURITY_OFFICIAL).values_list(
            "organization_id", flat=True
        )
    )
