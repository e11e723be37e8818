"""Who may act on an organization: its Security Officials, or CMS staff acting for the
QPP Service Center [2020 §III.6; 2023 §I].

Every write service asks here first (``PermissionDenied`` otherwise); the page
that shows an organization asks ``organizations.selectors``.
"""

from django.core.exceptions import PermissionDenied

from organizations.models import Role

# What a CMS staff member needs to act on a registration for the QPP Service Center.
# Help-desk staff who may only look lack it, so they are refused here as in admin.
SERVICE_CENTER_PERMISSION = "registrations.change_registration"

# How someone acts on an organization; ``registrations.models.Source`` records the same values.
SECURITY_OFFICIAL = "security_official"
SERVICE_CENTER = "service_center"


def _is_active(user):
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_security_official(user, organization):
    """Does ``user`` hold the Security Official role for ``organization``?

    A role found is remembered on ``user`` (``remember_security_official``), so the page's
    own check and each service of a workflow ask the database once per request.
    """
    if not _is_active(user):
        return False
    if organization.pk in _known_security_official_of(user):
        return True
    found = Role.objects.filter(
        user=user, organization=organization, kind=Role.Kind.SECURITY_OFFICIAL
    ).exists()
    if found:
        remember_security_official(user, organization)
    return found


def remember_security_official(user, organization):
    """Note on ``user`` that a query of this request found its Security Official role for
    ``organization``. As with Django's permission cache (``ModelBackend``'s ``_perm_cache``),
    the note lives as long as the user object, which for ``request.user`` is one request: a
    role removed by another request is seen by the next one."""
    _known_security_official_of(user).add(organization.pk)


def _known_security_official_of(user):
    try:
        return user._security_official_of
    except AttributeError:
        user._security_official_of = set()
        return user._security_official_of


def is_service_center_staff(user, permission=SERVICE_CENTER_PERMISSION):
    """Is ``user`` CMS staff allowed to make this change for the QPP Service Center?"""
    return _is_active(user) and user.is_staff and user.has_perm(permission)


def authorize(*, by, organization, source=None, permission=SERVICE_CENTER_PERMISSION):
    """Return how ``by`` acts on ``organization``, or raise ``PermissionDenied``.

    ``source`` asks for one path: ``SECURITY_OFFICIAL`` needs the Security Official
    role; ``SERVICE_CENTER`` needs staff with ``permission``. With no ``source``
    either will do, the Security Official role first.
    """
    if source in (None, SECURITY_OFFICIAL) and is_security_official(by, organization):
        return SECURITY_OFFICIAL
    if source in (None, SERVICE_CENTER) and is_service_center_staff(by, permission):
        return SERVICE_CENTER
    raise PermissionDenied(
        "Only a Security Official of this organization or the QPP Service Center can do this."
    )
