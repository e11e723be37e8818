"""The main registration page of the 2020/2021 screens [2020 §IV.1–2], which is also the
Registration Overview [2020 §IV.9]: every organization of the Security Official with its
Organization Size and each program's status, found by search, filter, sort and *Go to an
organization* (``overview``), and the *Register* a card sends (``registration_start``), whose
errors come back on the same list. The pages after it are ``registrations.web_interface.views``.
"""

from types import SimpleNamespace

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from organizations.models import Organization
from qpp_registration.core.eastern import format_eastern
from qpp_registration.core.exceptions import RegistrationRefused
from qpp_registration.core.pagination import ORGANIZATIONS_PER_PAGE
from qpp_registration.core.transactions import read_only_page
from registrations import deadlines, rules, selectors, workflows
from registrations.models import Program
from registrations.view_helpers import (
    GET_POST,
    apply_error,
    fragment_cleared,
    list_url,
    no_security_official,
    organization_url,
    organization_urls,
    so_organization,
    unless_window_open,
    web_interface_year,
    year_switcher,
)
from registrations.web_interface import overview, pages
from registrations.web_interface.forms import OverviewFindForm, RegisterForm

# --- Main registration page -------------------------------------------------------------------------


@read_only_page
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
        outcome = overview.jump(
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
    previous = selectors.year_before(years, year) if window.allowed else None
    narrowed = overview.narrowed_page(
        request.user,
        year=year,
        previous=previous,
        narrowing=narrowing,
        page_number=page_number,
        per_page=ORGANIZATIONS_PER_PAGE,
    )
    # The total, the offers and the deadline box (issue 27 #8): the rows', when they are every
    # organization of the user, else one query.
    if narrowed.every_organization:
        counted = deadlines.whole_list_counts(narrowed.rows, year=year, offers=len(narrowed.offered), now=now)
    else:
        counted = deadlines.list_counts(request.user, year=year, previous=previous, now=now)
    total = sum(counted.by_kind.values())
    if not total:
        return no_security_official(request)
    page = narrowed.page
    rows = pages.registration_rows(
        organizations=narrowed.organizations,
        year=year,
        window_open=window.allowed,
        registrations=narrowed.registrations,
    )
    find = {
        "form": find_form,
        "narrowing": narrowing,
        "total": total,
        # What a card's form and *Go to an organization* send along, to come back to this list.
        "params": narrowing.params(),
        "query": urlencode(narrowing.params()),
        "sort_label": overview.SORTS.get(narrowing.sort, "").lower(),
        # The page links keep the narrowing, not the words of a *Go to* that went nowhere.
        "request": SimpleNamespace(GET=_without(request.GET, "jump")),
    }
    items = []
    for row in rows:
        pk = row.organization.pk
        bound_form = bound[1] if bound is not None and bound[0] == pk else None
        items.append({"row": row, "form": bound_form, "as_last_year": pk in narrowed.offered})
    context = {
        "year": year,
        "window": window,
        "items": items,
        "page_obj": page,
        "bound_form": bound[1] if bound is not None else None,
        "size_field": RegisterForm.base_fields["size"],
        "kind_labels": dict(Organization.Kind.choices),
        "printed_at": format_eastern(now),
        "as_last_year": counted.offers,
        "find": find,
        # A card's links, each pattern reversed once for the page; a card makes only those it
        # shows (most show two of the seven).
        "links": {
            "detail": organization_urls("registration_detail", year),
            "summary": organization_urls("registration_summary", year),
            "start": organization_urls("registration_start", year),
            "size": organization_urls("registration_size", year),
            "cancel": {
                slug: organization_urls("registration_cancel", year, program=slug)
                for slug in pages.PROGRAM_SLUGS.values()
            },
        },
        **year_switcher(now, year, years),
        "deadlines": counted.deadlines,
    }
    return render(request, "registrations/registration_list.html", context, status=status)


def _without(params, name):
    params = params.copy()
    params.pop(name, None)
    return params


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
