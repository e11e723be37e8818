"""*Register and Edit CAHPS Registration*, the list of a CAHPS-only year [2023 §III.6–7, §VI]:
one tab per organization type, each organization with its CAHPS status and *Register Group
for CAHPS*. The registration page itself is ``registrations.cahps.views``.
"""

from functools import partial

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from qpp_registration.core.exceptions import RegistrationRefused
from qpp_registration.core.pagination import ORGANIZATIONS_PER_PAGE, ReadPaginator
from qpp_registration.core.transactions import read_only_page
from registrations import deadlines, rules, selectors, workflows
from registrations.cahps import pages as cahps_pages
from registrations.cahps.autosave import refused
from registrations.cahps.forms import CahpsFilterForm
from registrations.cahps.list_rows import cahps_list_rows, cahps_rows
from registrations.lists import cahps_tabs
from registrations.models import ProgramStatus
from registrations.view_helpers import (
    cahps_list_url,
    cahps_page_url,
    cahps_so_organization,
    cahps_year,
    organization_urls,
    year_switcher,
)

# --- Register and Edit CAHPS Registration (the list) ------------------------------------------------


@require_GET
def cahps_registration_home(request):
    """The left navigation's *CAHPS for MIPS Survey Registration* [2023 §IV.3]: the list of
    the most relevant CAHPS-only year (open, else the next to open, else the latest)."""
    now = timezone.now()
    years = [year for year in selectors.open_years(now) if year.is_cahps_only] or [
        year for year in selectors.selectable_years(now) if year.is_cahps_only
    ]
    if not years:
        return render(request, "registrations/no_years.html")
    return redirect("cahps_registration_list", year=years[0].year)


@require_GET
@read_only_page
def cahps_registration_list(request, year):
    """*Register and Edit CAHPS Registration* [2023 §III.6–7, §VI]: tabs of the organization
    types the user is a Security Official of, each organization with its CAHPS status and
    *Register Group for CAHPS*; filter by status and search by name or identifier."""
    now = timezone.now()
    years = selectors.performance_years()
    year = selectors.year_of(years, year)
    if not year.is_cahps_only:
        return redirect("registration_list", year=year.year)
    window = rules.window_decision(year, now)
    # Register as last year: offered while the window is open, when the portal has the year before.
    previous = selectors.year_before(years, year) if window.allowed else None
    # The tabs' counts, the offers and the deadline box (issue 27 #8): one query.
    counted = deadlines.list_counts(request.user, year=year, previous=previous, now=now)
    tabs = cahps_tabs(counted.by_kind, request.GET.get("tab", ""))
    if not tabs:
        # [2023 §III.7]: without the Security Official role there is nothing to register.
        return render(request, "registrations/cahps/no_security_official.html", status=403)
    tab = next(tab for tab in tabs if tab.selected)
    filter_form = CahpsFilterForm(request.GET)
    status, query = filter_form.filters()
    filtered = bool(status or query)
    # A filter reads every organization of the user anyway: count them in the same query.
    read = partial(
        cahps_list_rows,
        request.user,
        year=year,
        previous=previous,
        tab=tab.slug,
        status=status,
        query=query,
        counted=filtered,
    )
    page = ReadPaginator(read, ORGANIZATIONS_PER_PAGE, count=None if filtered else tab.count).get_page(
        request.GET.get("page")
    )
    rows = cahps_rows(page.object_list, year=year, window_open=window.allowed)
    offered = {
        row.organization.pk for row in page.object_list if row.registered_before and row.registration is None
    }
    register_url = organization_urls("cahps_register", year)
    page_url = organization_urls("cahps_registration", year)
    summary_url = organization_urls("cahps_summary", year)
    as_last_year_url = reverse("register_as_last_year", kwargs={"year": year.year}) + "?organization="
    items = [
        {
            "row": row,
            "as_last_year": row.organization.pk in offered,
            "register_url": register_url(row.organization.pk),
            "page_url": page_url(row.organization.pk),
            "summary_url": summary_url(row.organization.pk),
            "as_last_year_url": f"{as_last_year_url}{row.organization.pk}",
        }
        for row in rows
    ]
    context = {
        "year": year,
        "window": window,
        "tabs": tabs,
        "tab_links": [
            {
                "label": item.label,
                "url": f"?{urlencode({'tab': item.slug})}",
                "current": item.selected,
                "count": item.count,
            }
            for item in tabs
        ],
        "tab": tab,
        "filter_form": filter_form,
        "filtered": filtered,
        "rows": rows,
        "items": items,
        "searching": bool(query),  # a search says in which tab each row is
        # Said once above the table rather than in every subgroup's row [2023 §I].
        "service_center_note": next((row.reason for row in rows if row.service_center), ""),
        "page_obj": page,
        "as_last_year": counted.offers,
        # Register many at once (issue 27 item 2) from this list's tab, status and search.
        "register_many_url": reverse("bulk_registration_start", kwargs={"year": year.year})
        + "?"
        + urlencode(
            {name: value for name, value in (("tab", tab.slug), ("status", status), ("q", query)) if value}
        ),
        **year_switcher(now, year, years),
        # "N days left" and the organizations still to register, while open.
        "deadlines": counted.deadlines,
    }
    return render(request, "registrations/cahps/list.html", context)


@require_POST
def cahps_register(request, year, organization_id):
    """*Register Group for CAHPS* [2023 §III.7, §IV]: the registration and its ID exist from
    here on; it starts (Incomplete) once the size is chosen. After a deletion the
    organization registers again with the same registration ID [2023 §VII]."""
    year = cahps_year(year)
    organization = cahps_so_organization(request, organization_id)
    now = timezone.now()
    window = rules.window_decision(year, now)
    back = cahps_list_url(year, organization)
    if not window:
        return refused(request, year=year, organization=organization, reason=window.reason, back=back)
    decision = cahps_pages.cahps_decision(organization=organization, year=year)
    if not decision:
        return refused(request, year=year, organization=organization, reason=decision.reason, back=back)
    try:
        registration = workflows.cahps_register(organization=organization, year=year, by=request.user)
    except RegistrationRefused as refusal:
        return refused(request, year=year, organization=organization, reason=refusal.reason, back=back)
    if registration.cahps_status == ProgramStatus.NOT_REGISTERED:
        messages.info(
            request,
            f"Registration ID {registration.registration_id} for {organization.name}. Select the "
            "Organization Size, then add a contact.",
        )
    else:
        messages.success(
            request,
            f"{organization.name} is registered again with registration ID {registration.registration_id}. "
            "Check the organization size and the contacts.",
        )
    return redirect(cahps_page_url(year, organization))
