"""The 2020/2021 registration screens: CMS Web Interface and CAHPS for MIPS Survey.

The pages follow the 2020 guide in order [2020 §III.4 – §VII]: Connected
Organizations, the main registration page (Organization Size and *Register*: ``list_views``),
Submit Registration, Congratulations, Show Details (modify), Cancel Registration
(``edit_views``). A performance year that offers the Web Interface uses these
screens; a CAHPS-only year uses ``registrations.cahps.views``.

Every view fetches the organization through the signed-in user's role
(``get_organization_for_user``: 404 for anyone else's), only a Security
Official reaches a registration page, and every write goes through a service,
which checks the window and the rules again. Outside the registration window
the pages are read-only and say when it opens or that it closed.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from organizations.models import Role
from qpp_registration.core.eastern import format_eastern
from qpp_registration.core.exceptions import RegistrationRefused
from qpp_registration.core.http.params import int_param
from qpp_registration.core.pagination import ORGANIZATIONS_PER_PAGE, FirstPagePaginator
from qpp_registration.core.transactions import read_only_page
from registrations import rules, selectors
from registrations.models import ProgramStatus
from registrations.reminders import page_reminders
from registrations.services import (
    registration_submit,
)
from registrations.view_helpers import (
    GET_POST,
    already_registered,
    connected_url,
    list_url,
    no_security_official,
    organization_url,
    organization_urls,
    prefilled_contact,
    program_of_slug,
    so_organization,
    web_interface_year,
    window_closed,
    without_fragment,
    year_switcher,
)
from registrations.web_interface import detail_page, pages

# --- Registration entry and Connected Organizations -------------------------------------------------


def registration_home(request):
    """The left-nav *Registration* entry: the chosen (or most relevant) performance year's
    registration page — these screens, or the Registration screen of a CAHPS-only year."""
    now = timezone.now()
    years = selectors.performance_years()
    year = _requested_year(request, now, years)
    if not selectors.security_official_organizations(request.user).exists():
        return no_security_official(request, year)
    if year is None:
        return render(request, "registrations/no_years.html")
    if year.is_cahps_only:
        # [2023 §III.6]: "From the Registration screen, select Register and Edit CAHPS Registration."
        context = {
            "year": year,
            "window": rules.window_decision(year, now),
            **year_switcher(now, year, years),
        }
        return render(request, "registrations/cahps/registration.html", context)
    return redirect("registration_list", year=year.year)


def _requested_year(request, now, years):
    """The ``?year=`` the switcher chose, else the most relevant year (None if none configured),
    of ``years`` (every performance year, read once by the page)."""
    requested = int_param(request.GET, "year")
    if requested is None:
        return selectors.default_year(now, years)
    return selectors.year_of(years, requested)


@dataclass(frozen=True)
class YearSection:
    """One performance year's table on Connected Organizations."""

    year: object  # PerformanceYear
    window: object  # rules.Decision
    rows: list
    edit_url: str
    # A Staff User's way to an organization's registration, read-only [issue 27 item 6]:
    # the URL of the organization (by id) on the year's registration page.
    view_url: object


def _year_section(year, roles, now, user=None):
    if year.is_cahps_only:
        edit_url = reverse("cahps_registration_list", kwargs={"year": year.year})
    else:
        edit_url = reverse("registration_list", kwargs={"year": year.year})
    return YearSection(
        year=year,
        window=rules.window_decision(year, now),
        rows=pages.connected_rows(roles=roles, year=year, user=user),
        edit_url=edit_url,
        view_url=organization_urls(
            "cahps_registration" if year.is_cahps_only else "registration_detail", year
        ),
    )


@read_only_page
def connected_organizations(request):
    """Manage Access → Connected Organizations: every organization where the user holds a
    role, with its status per program and *Edit Registration* where the user is the
    Security Official [2020 §III.4–6]. Staff Users see it read-only. While several years
    are open, each has its own section, the one that closes first at the top, so that nobody
    follows a guide into the wrong year; ``?year=`` shows one year."""
    now = timezone.now()
    years = selectors.performance_years()
    year = _requested_year(request, now, years)
    if year is None:
        return render(request, "registrations/no_years.html")
    # What the paginator reads first (a page and one more), in a prepared query: when it is
    # every role of the user, the list is those roles, and each year's registrations are read
    # in a prepared query too.
    first = pages.first_roles(request.user)
    if len(first) <= ORGANIZATIONS_PER_PAGE:
        paginator = FirstPagePaginator(first, ORGANIZATIONS_PER_PAGE)
    else:
        paginator = FirstPagePaginator(selectors.user_roles(request.user), ORGANIZATIONS_PER_PAGE)
        paginator._first_rows = first
    page = paginator.get_page(request.GET.get("page"))
    roles = list(page.object_list)
    whole = None if page.has_other_pages() else request.user
    opened = selectors.open_years(now, years)
    shown = opened if "year" not in request.GET and len(opened) > 1 else [year]
    sections = [_year_section(each, roles, now, user=whole) for each in shown]
    rows = sections[0].rows
    context = {
        "year": year,
        "window": sections[0].window,
        "sections": sections,
        "rows": rows,
        "page_obj": page,
        "edit_url": sections[0].edit_url,
        "has_staff_role": any(not row.is_security_official for row in rows),
        "programs": year.programs,
        **year_switcher(now, year, years),
    }
    return render(request, "registrations/connected_organizations.html", context)


# --- Submit Registration and Congratulations --------------------------------------------------------


@GET_POST
def registration_submit_view(request, year, organization_id, program):
    """Submit Registration [2020 §IV.3–7]: organization information (*Edit*), contact
    information (*Edit*, *Add New*), then *Register*."""
    now = timezone.now()
    program = program_of_slug(program)
    year = web_interface_year(year)
    organization = so_organization(request, organization_id)
    detail = detail_page.registration_detail(organization=organization, year=year, now=now)
    cell = detail.cell(program)
    if cell is None:
        raise Http404("This program is not offered for this performance year.")
    if request.method == "GET" and detail.registration is None:
        messages.info(request, f"Select the organization size and Register for {organization.name} first.")
        return redirect(without_fragment(list_url(year, organization)))
    if cell.is_registered:
        messages.info(request, already_registered(detail.registration, program, user=request.user))
        return redirect(organization_url("registration_detail", year, organization))

    error = None
    already = None
    if request.method == "POST":
        if not detail.window_open:
            return window_closed(
                request,
                year=year,
                organization=organization,
                window=detail.window,
                title="Submit Registration",
                back=list_url(year, organization),
            )
        try:
            registration_submit(
                organization=organization, year=year, program=program, size="", by=request.user
            )
        except RegistrationRefused as refusal:
            error = refusal.reason
            # Registered by another request since this page was read (a double submit, or two
            # Security Officials at once): say so and lead to it, rather than ask to complete it.
            current = selectors.find_registration(organization=organization, year=year)
            if current is not None and current.status_for(program) == ProgramStatus.REGISTERED:
                already = already_registered(current, program, user=request.user)
        else:
            return redirect(
                organization_url(
                    "registration_congratulations",
                    year,
                    organization,
                    program=pages.PROGRAM_SLUGS[program],
                )
            )

    context = {
        "year": year,
        "organization": organization,
        "detail": detail,
        "program": program,
        "program_slug": pages.PROGRAM_SLUGS[program],
        "cell": cell,
        "error": error,
        "already": already,
        "prefilled_contact": prefilled_contact(request.user) if not detail.contacts else None,
        "return_key": f"submit-{pages.PROGRAM_SLUGS[program]}",
    }
    return render(request, "registrations/submit.html", context)


def registration_congratulations(request, year, organization_id, program):
    """ "Congratulations, you have successfully registered!" with the registration ID and
    *Back to List* [2020 §IV.8]."""
    program = program_of_slug(program)
    year = web_interface_year(year)
    organization = so_organization(request, organization_id)
    registration, contacts = selectors.registration_and_contacts(organization=organization, year=year)
    if registration is None or registration.status_for(program) != ProgramStatus.REGISTERED:
        return redirect(list_url(year, organization))
    context = {
        "year": year,
        "organization": organization,
        "registration": registration,
        "program": program,
        "contacts": contacts,
        "back_url": list_url(year, organization),
        "printed_at": format_eastern(timezone.now()),
    }
    return render(request, "registrations/congratulations.html", context)


# --- Show Details (view and modify) -----------------------------------------------------------------


@require_safe  # it only shows: a POST, which no form sends here, changes nothing and is refused
@read_only_page
def registration_detail(request, year, organization_id):
    """*Show Details* [2020 §V, §VI]: the organization and contact information with
    *Edit*, *Delete* and *Add New Contact*, the size with *Edit*, each program's status.
    Any role of the organization may read it; a Staff User sees it without any action, each
    of which stays the Security Official's [2020 §III.6; issue 27 item 6]."""
    now = timezone.now()
    year = web_interface_year(year)
    # The organization says the user's role and whether they opted out of its deadline
    # reminders, the registration whether it has sampling notices: no query for either when
    # there are none.
    organization = selectors.member_organization(request.user, organization_id)
    read_only = organization.role_kind != Role.Kind.SECURITY_OFFICIAL
    detail = detail_page.registration_detail(
        organization=organization, year=year, now=now, read_only=read_only
    )
    registration = detail.registration
    context = {
        "year": year,
        "organization": organization,
        "detail": detail,
        # Deadline reminders go to Security Officials (registrations.reminders): a Staff User
        # has none to turn off.
        "reminders": None
        if read_only
        else page_reminders(organization=organization, year=year, registration=registration, now=now),
        "reminders_on": not organization.reminders_off,
        "sampling_notices": selectors.sampling_notices(registration)
        if registration is not None and registration.has_sampling_notices
        else [],
        "back_url": connected_url(year) if read_only else list_url(year, organization),
        "return_key": "details",
        "role_label": Role.Kind(organization.role_kind).label if read_only else "",
    }
    if read_only:
        context["nav_current"] = "connected_organizations"
    return render(request, "registrations/detail.html", context)
