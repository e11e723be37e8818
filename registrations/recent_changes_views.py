"""*Recent changes* of an organization: who changed what and when (ET), across its
registrations, contacts and roles, for the people who hold a role for it (issue 27 item 7).

The help desk's whole story of an organization is in admin (``registrations.activity``);
this page shows the same history, read by the same code, a page at a time, less what stays the
help desk's (``organization_history.recent_changes`` says what). Linked from the organization's
Registration Details page and its CAHPS registration page; the year in the URL is the page it
was opened from, which it leads back to. Nothing here changes anything.
"""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from organizations.models import Role
from registrations import activity as organization_history
from registrations import selectors


@require_GET
def recent_changes(request, year, organization_id):
    """The organization's changes, newest first, for anyone with a role for it; 404 for anyone
    else, as if it did not exist."""
    year = selectors.get_year(year)
    organization = selectors.member_organization(request.user, organization_id)
    page = organization_history.recent_changes(organization, page_number=request.GET.get("page"))
    back = "cahps_registration" if year.is_cahps_only else "registration_detail"
    official = organization.role_kind == Role.Kind.SECURITY_OFFICIAL
    context = {
        "year": year,
        "organization": organization,
        "page_obj": page,
        "entries": page.object_list,
        "back_url": reverse(back, kwargs={"year": year.year, "organization_id": organization.pk}),
        "back_label": "Back to CAHPS Registration" if year.is_cahps_only else "Back to Registration Details",
    }
    if not official:
        context["nav_current"] = "connected_organizations"
    return render(request, "registrations/recent_changes.html", context)
