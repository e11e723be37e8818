"""The 2020/2021 registration screens: CMS Web Interface and CAHPS for MIPS Survey.

The pages follow the 2020 guide in order [2020 §III.4 – §VII]: Connected
Organizations, the main registration page (Organization Size and *Register*),
Submit Registration, Congratulations, Show Details (modify), Cancel
Registration. A performance year that offers the Web Interface uses these
screens; a CAHPS-only year uses ``registrations.cahps.views``.

Every view fetches the organization through the signed-in user's role
(``get_organization_for_user``: 404 for anyone else's), only a Security
Official reaches a registration page, and every write goes through a service,
which checks the window and the rules again. Outside the registration window
the pages are read-only and say when it opens or that it closed.
"""

from dataclasses import dataclass
from types import SimpleNamespace

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from organizations.models import Organization, Role
from qpp_registration.core.eastern import format_eastern
from qpp_registration.core.exceptions import RegistrationRefused
from qpp_registration.core.http.params import int_param
from qpp_registration.core.pagination import ORGANIZATIONS_PER_PAGE, FirstPagePaginator
from registrations import deadlines, rules, selectors, workflows
from registrations.models import Program, ProgramStatus
from registrations.reminders import page_reminders
from registrations.services import (
    registration_submit,
)
from registrations.view_helpers import (
    GET_POST,
    already_registered,
    apply_error,
    connected_url,
    fragment_cleared,
    last_year_offers,
    list_url,
    no_security_official,
    organization_url,
    organization_urls,
    prefilled_contact,
    program_of_slug,
    so_organization,
    unless_window_open,
    web_interface_year,
    window_closed,
    without_fragment,
    year_switcher,
)
from registrations.web_interface import overview as overview_list
from registrations.web_interface import pages
from registrations.web_interface.forms import OverviewFindForm, RegisterForm

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


# --- Main registration page -------------------------------------------------------------------------


def registration_list(request, year):
    """The main registration page [2020 §IV]: the Security Official's organizations with
    *Organization Size* and *Register* per program — which is also the Registration
    Overview [2020 §IV.9] and the registration summary [2020 §VI]. Searched, filtered by status
    and kind and sorted from the query string, and ``?jump=`` goes to one organization's card
    (``registrations.web_interface.overview``)."""
    years = selectors.performance_years()
    year = selectors.year_of(years, year)
    if year.is_cahps_only:
        return redirect(reverse("cahps_registration_list", kwargs={"year": year.year}))
    jump_error = ""
    if request.GET.get("jump", "").strip():
        # *Go to an organization* [issue 27 item 1]: straight to its card, on whatever page.
        find_form = OverviewFindForm(request.GET)
        outcome = overview_list.jump(
            request.user,
            year=year,
            text=request.GET["jump"][:100],
            narrowing=find_form.narrowing(),
            per_page=ORGANIZATIONS_PER_PAGE,
        )
        if outcome.organization_id is not None:
            params = outcome.narrowing.params(**({"page": outcome.page} if outcome.page > 1 else {}))
            query = f"?{urlencode(params)}" if params else ""
            return redirect(f"{list_url(year)}{query}#org-{outcome.organization_id}")
        jump_error = outcome.error
    return _render_list(
        request, year, page_number=request.GET.get("page"), years=years, jump_error=jump_error
    )


def _render_list(request, year, *, page_number, bound=None, status=200, years=None, jump_error=""):
    """``bound`` = (organization_id, form) re-renders one organization's Register form with
    its errors, keeping what was chosen. ``years``: every performance year, when read already.
    The query string's search, filters and sort (``OverviewFindForm``) narrow the list; a card's
    form is sent with them, so that its errors come back on the same list."""
    now = timezone.now()
    years = selectors.performance_years() if years is None else years
    window = rules.window_decision(year, now)
    find_form = OverviewFindForm(request.GET)
    narrowing = find_form.narrowing()
    if jump_error:
        find_form.add_error("jump", jump_error)
    if not narrowing.plain:
        previous = selectors.year_before(years, year) if window.allowed else None
        narrowed = overview_list.narrowed_page(
            request.user,
            year=year,
            previous=previous,
            narrowing=narrowing,
            page_number=page_number,
            per_page=ORGANIZATIONS_PER_PAGE,
        )
        if not narrowed.total:
            return no_security_official(request)
        page = narrowed.page
        rows = pages.registration_rows(
            organizations=narrowed.organizations,
            year=year,
            window_open=window.allowed,
            registrations=narrowed.registrations,
        )
        offered, offer_count = narrowed.offered, narrowed.offer_count
        total = narrowed.total
    else:
        page, rows, offered, offer_count = _whole_list(request, year, years, window, page_number)
        if page is None:
            return no_security_official(request)
        total = page.paginator.count
    find = {
        "form": find_form,
        "narrowing": narrowing,
        "total": total,
        # What a card's form and *Go to an organization* send along, to come back to this list.
        "params": narrowing.params(),
        "query": urlencode(narrowing.params()),
        "sort_label": overview_list.SORTS.get(narrowing.sort, "").lower(),
        # The page links keep the narrowing, not the words of a *Go to* that went nowhere.
        "request": SimpleNamespace(GET=_without(request.GET, "jump")),
    }
    # Each row's links, reversed once for the page rather than once a row.
    detail_url = organization_urls("registration_detail", year)
    summary_url = organization_urls("registration_summary", year)
    start_url = organization_urls("registration_start", year)
    size_url = organization_urls("registration_size", year)
    cancel_url = {
        slug: organization_urls("registration_cancel", year, program=slug)
        for slug in pages.PROGRAM_SLUGS.values()
    }
    items = []
    for row in rows:
        pk = row.organization.pk
        bound_form = bound[1] if bound is not None and bound[0] == pk else None
        items.append(
            {
                "row": row,
                "form": bound_form,
                "as_last_year": pk in offered,
                "detail_url": detail_url(pk),
                "summary_url": summary_url(pk),
                "start_url": start_url(pk),
                "size_url": size_url(pk),
                "cancel_urls": {slug: each(pk) for slug, each in cancel_url.items()},
            }
        )
    context = {
        "year": year,
        "window": window,
        "items": items,
        "page_obj": page,
        "bound_form": bound[1] if bound is not None else None,
        "size_field": RegisterForm.base_fields["size"],
        "kind_labels": dict(Organization.Kind.choices),
        "printed_at": format_eastern(now),
        "as_last_year": offer_count,
        "find": find,
        **year_switcher(now, year, years),
        # "N days left" and the organizations still to register (issue 27 #8): one query, while open.
        "deadlines": deadlines.deadlines(request.user, [year], now),
    }
    return render(request, "registrations/registration_list.html", context, status=status)


def _without(params, name):
    params = params.copy()
    params.pop(name, None)
    return params


def _whole_list(request, year, years, window, page_number):
    """``(page, rows, offered, offer_count)`` of the Overview neither searched, filtered nor
    sorted otherwise than by name, read as it always was; ``page`` None for a user without a
    Security Official role."""
    # What the paginator reads first (a page and one more), in a prepared query: when it is
    # every organization of the user, the list is those rows.
    first = pages.first_organizations(request.user)
    if len(first) <= ORGANIZATIONS_PER_PAGE:
        paginator = FirstPagePaginator(first, ORGANIZATIONS_PER_PAGE)
    else:
        organizations = selectors.security_official_organizations(request.user)
        organizations = organizations.only(*pages.ROW_ORGANIZATION_FIELDS)  # what a row shows
        paginator = FirstPagePaginator(organizations, ORGANIZATIONS_PER_PAGE)
        paginator._first_rows = first
    page = paginator.get_page(page_number)
    if not page.object_list:
        return None, [], frozenset(), 0
    if page.has_other_pages():
        rows = pages.registration_rows(organizations=page.object_list, year=year, window_open=window.allowed)
        offered, offer_count = last_year_offers(request, year, years, window, rows, whole=False)
    else:  # the page holds every organization of the user: the offers come with the registrations
        previous = selectors.year_before(years, year) if window.allowed else None
        rows, offered = pages.whole_registration_rows(
            user=request.user,
            organizations=page.object_list,
            year=year,
            window_open=window.allowed,
            previous=previous,
        )
        offer_count = len(offered)
    return page, rows, offered, offer_count


@GET_POST
def registration_start(request, year, organization_id):
    """*Register* under a program on the main page [2020 §IV.1–2]: keep the chosen size and
    go on to Submit Registration. Registering the second program carries the organization
    and contacts over, so it completes at once [2020 §IV.9]."""
    year = web_interface_year(year)
    organization = so_organization(request, organization_id)
    if request.method == "GET":
        return redirect(list_url(year, organization))
    closed = unless_window_open(
        request, year=year, organization=organization, title="Register", back=list_url(year)
    )
    if closed is not None:
        return closed
    registration = selectors.registration_of(organization=organization, year=year)
    size_editable = rules.size_editable(registration)
    # A size already saved (e.g. set with Edit on Registration Details) is kept when the Register
    # button sends none: Registration Details has no size selector [2020 §V].
    stored_size = registration.size if registration is not None else ""
    form = RegisterForm(
        request.POST,
        prefix=f"org-{organization.pk}",
        size_required=size_editable and not stored_size,
        organization=organization,
    )
    page_number = request.POST.get("page")

    def again():
        return _render_list(request, year, page_number=page_number, bound=(organization.pk, form))

    if not form.is_valid():
        return again()
    program = Program(form.cleaned_data["program"])
    size = (form.cleaned_data["size"] or stored_size) if size_editable else registration.size
    decision = rules.program_eligibility(program, organization=organization, year=year, size=size)
    if not decision:
        size_related = bool(rules.allowed_sizes(program, organization=organization, year=year))
        form.add_error("size" if size_related else None, f"{organization.name}: {decision.reason}")
        return again()

    try:
        outcome = workflows.registration_start(
            organization=organization, year=year, program=program, size=size, by=request.user
        )
    except RegistrationRefused as error:
        apply_error(form, error)
        return again()
    # The form was sent to ``…#register-errors``: each way on clears that fragment.
    if outcome.already_registered:
        messages.info(request, f"{organization.name} is already registered for the {program.label}.")
        return redirect(fragment_cleared(list_url(year, organization)))
    if outcome.carried_over:
        return redirect(
            fragment_cleared(
                organization_url(
                    "registration_congratulations", year, organization, program=pages.PROGRAM_SLUGS[program]
                )
            )
        )
    return redirect(
        fragment_cleared(
            organization_url("registration_submit", year, organization, program=pages.PROGRAM_SLUGS[program])
        )
    )


# --- Submit Registration and Congratulations --------------------------------------------------------


@GET_POST
def registration_submit_view(request, year, organization_id, program):
    """Submit Registration [2020 §IV.3–7]: organization information (*Edit*), contact
    information (*Edit*, *Add New*), then *Register*."""
    now = timezone.now()
    program = program_of_slug(program)
    year = web_interface_year(year)
    organization = so_organization(request, organization_id)
    detail = pages.registration_detail(organization=organization, year=year, now=now)
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
    detail = pages.registration_detail(organization=organization, year=year, now=now, read_only=read_only)
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
