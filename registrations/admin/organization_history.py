"""The help desk's *Organization history* page in Django admin.

Staff with ``organizations.audit_organization`` (the *Help desk* and *Registration
admin* groups, ``registrations.admin.staff_groups``) open it from an organization's or a
registration's admin page. Read-only: it changes nothing.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from organizations.models import Organization
from registrations.activity import organization_history

PERMISSION = "organizations.audit_organization"
INVITATIONS_PERMISSION = "organizations.view_securityofficialinvitation"


def may_see_organization_history(user):
    return user.is_active and user.is_staff and user.has_perm(PERMISSION)


def organization_history_view(request, organization_id):
    """Every registration, role, role request and change of one organization."""
    if not may_see_organization_history(request.user):
        raise PermissionDenied("The organization history is for the help desk.")
    organization = get_object_or_404(Organization.objects.select_related("parent"), pk=organization_id)
    context = {
        **admin.site.each_context(request),
        "title": f"History of {organization.name}",
        "subtitle": None,
        "organization": organization,
        "history": organization_history(organization),
        "opts": Organization._meta,
        "invitations_url": _invitations_url(request.user, organization),
    }
    return TemplateResponse(request, "admin/organizations/organization/full_history.html", context)


def _invitations_url(user, organization):
    """The invitations admin list narrowed to ``organization``, for staff who may open it."""
    if not user.has_perm(INVITATIONS_PERMISSION):
        return None
    changelist = reverse("admin:organizations_securityofficialinvitation_changelist")
    return f"{changelist}?organization__id__exact={organization.pk}"


# admin_view: staff only (anyone else is sent to sign in), never cached.
organization_history_admin_view = admin.site.admin_view(organization_history_view)
