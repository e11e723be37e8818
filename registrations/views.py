"""The 2020/2021 registration screens: CMS Web Interface and CAHPS for MIPS Survey.

The pages follow the 2020 guide in order [2020 §III.4 – §VII]: Connected
Organizations, the main registration page (Organization Size and *Register*),
Submit Registration, Congratulations, Show Details (modify), Cancel
Registration. A performance year that offers the Web Interface uses these
screens; a CAHPS-only year uses ``registrations.cahps_views``.

Every view fetches the organization through the signed-in user's role
(``get_organization_for_user``: 404 for anyone else's), only a Security
Official reaches a registration page, and every write goes through a service,
which checks the window and the rules again. Outside the registration window
the pages are read-only and say when it opens or that it closed.
"""

import hashlib
from dataclasses import dataclass
from functools import partial, wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods

from organizations.selectors import get_organization_for_security_official
from qpp_registration.core.eastern import format_eastern
from qpp_registration.core.exceptions import ConfirmationRequired, EditConflict, RegistrationRefused
from qpp_registration.pagination import FirstPagePaginator
from qpp_registration.params import int_param
from registrations import rules, selectors, workflows
from registrations.detail_services import contact_delete, contact_update, organization_update
from registrations.forms import ContactForm, OrganizationForm, RegisterForm, SizeForm
from registrations.models import Program, ProgramStatus, Size
from registrations.services import (
    receives_reminders,
    registration_cancel,
    registration_submit,
    reminder_preference_set,
)

ORGANIZATIONS_PER_PAGE = 25
KEEP_TYPED_AFTER_CONFLICT = (
    "The form still shows what you typed: save again to replace their change with yours, "
    "or select Cancel to keep theirs."
)
GET_POST = require_http_methods(["GET", "POST"])


# --- Helpers ----------------------------------------------------------------------------------------


def _now():
    return timezone.now()


def _so_organization(request, organization_id):
    """The organization, only if the signed-in user is its Security Official [2020 §III.6]."""
    return get_organization_for_security_official(request.user, organization_id, changes="cancelling")


def _program(slug):
    """The program of a URL slug (``web-interface`` or ``cahps``); 404 for anything else."""
    for program, program_slug in selectors.PROGRAM_SLUGS.items():
        if slug == program_slug:
            return program
    raise Http404("No such program.")


def _web_interface_year(year):
    """The performance year of these screens; a CAHPS-only year has its own (404 here)."""
    performance_year = selectors.get_year(year)
    if not performance_year.offers_web_interface:
        raise Http404("This performance year uses the CAHPS registration pages.")
    return performance_year


def _list_url(year, organization=None):
    url = reverse("registration_list", kwargs={"year": year.year})
    return f"{url}#org-{organization.pk}" if organization is not None else url


def _without_fragment(url):
    """Where to go after an action that leaves a message: the page's top, where the message is
    (portal.js moves focus to it). Jumping to the organization's card would leave the outcome
    of the action above the screen."""
    return url.split("#", 1)[0]


def _url(name, year, organization, **kwargs):
    return reverse(name, kwargs={"year": year.year, "organization_id": organization.pk, **kwargs})


# Where an edit page returns to: the page it was opened from.
RETURN_TARGETS = ("list", "details", "submit-web-interface", "submit-cahps")


@dataclass(frozen=True)
class ReturnTo:
    key: str
    url: str
    label: str


def _return_to(request, year, organization, default="details"):
    key = request.POST.get("return_to") or request.GET.get("return_to") or default
    if key not in RETURN_TARGETS:
        key = default
    if key == "list":
        return ReturnTo(key, _list_url(year, organization), "Back to List")
    if key.startswith("submit-"):
        program = key.removeprefix("submit-")
        url = _url("registration_submit", year, organization, program=program)
        return ReturnTo(key, url, "Back to Submit Registration")
    return ReturnTo(key, _url("registration_detail", year, organization), "Back to Registration Details")


def _window_closed(request, *, year, organization, window, title, back):
    """The read-only answer of an edit page outside the window; a POST is refused (403)."""
    status = 403 if request.method == "POST" else 200
    context = {"year": year, "organization": organization, "window": window, "title": title, "back": back}
    return render(request, "registrations/window_closed.html", context, status=status)


@dataclass(frozen=True)
class EditPage:
    """What every page that changes a registration starts from."""

    year: object  # PerformanceYear
    organization: object  # Organization
    back: ReturnTo


def edit_page(title, *, back="details"):
    """For a page that changes a registration: resolve the year (404 for a CAHPS-only year),
    the organization (404 unless the user is its Security Official) and the way back, and
    outside the window answer read-only instead, refusing a POST [2020 §III.6]. The view is
    called as ``view(request, page, **other_url_arguments)``."""

    def decorator(view):
        @GET_POST
        @wraps(view)
        def wrapper(request, year, organization_id, **kwargs):
            year = _web_interface_year(year)
            organization = _so_organization(request, organization_id)
            way_back = _return_to(request, year, organization, default=back)
            window = rules.window_decision(year, _now())
            if not window:
                return _window_closed(
                    request,
                    year=year,
                    organization=organization,
                    window=window,
                    title=title,
                    back=way_back.url,
                )
            return view(request, EditPage(year, organization, way_back), **kwargs)

        return wrapper

    return decorator


def _apply_error(form, error):
    """Show a service's refusal next to its field (or at the top of the form)."""
    if isinstance(error, ValidationError):
        form.add_error(None, error)
        return
    if isinstance(error, EditConflict):
        form.refresh_edit_token(error.edit_token)
        form.add_error(None, f"{error.reason} {KEEP_TYPED_AFTER_CONFLICT}")
        return
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.reason)


def _year_switcher(now, year):
    return {"year_options": selectors.year_options(now, year)}


def _no_security_official(request, year=None):
    """403 with the guide's explanation for a user without the Security Official role
    [2020 §III.6; 2023 §III.7 for a CAHPS-only year: "submit, modify, or delete"]."""
    return render(request, "registrations/no_security_official.html", {"year": year}, status=403)


# --- Registration entry and Connected Organizations -------------------------------------------------


def registration_home(request):
    """The left-nav *Registration* entry: the chosen (or most relevant) performance year's
    registration page — these screens, or the Registration screen of a CAHPS-only year."""
    now = _now()
    year = _requested_year(request, now)
    if not selectors.security_official_organizations(request.user).exists():
        return _no_security_official(request, year)
    if year is None:
        return render(request, "registrations/no_years.html")
    if year.is_cahps_only:
        # [2023 §III.6]: "From the Registration screen, select Register and Edit CAHPS Registration."
        context = {"year": year, "window": rules.window_decision(year, now), **_year_switcher(now, year)}
        return render(request, "registrations/cahps/registration.html", context)
    return redirect("registration_list", year=year.year)


def _requested_year(request, now):
    """The ``?year=`` the switcher chose, else the most relevant year (None if none configured)."""
    requested = int_param(request.GET, "year")
    if requested is None:
        return selectors.default_year(now)
    return selectors.get_year(requested)


@dataclass(frozen=True)
class YearSection:
    """One performance year's table on Connected Organizations."""

    year: object  # PerformanceYear
    window: object  # rules.Decision
    rows: list
    edit_url: str


def _year_section(year, roles, now):
    if year.is_cahps_only:
        edit_url = reverse("cahps_registration_list", kwargs={"year": year.year})
    else:
        edit_url = reverse("registration_list", kwargs={"year": year.year})
    return YearSection(
        year=year,
        window=rules.window_decision(year, now),
        rows=selectors.connected_rows(roles=roles, year=year),
        edit_url=edit_url,
    )


def connected_organizations(request):
    """Manage Access → Connected Organizations: every organization where the user holds a
    role, with its status per program and *Edit Registration* where the user is the
    Security Official [2020 §III.4–6]. Staff Users see it read-only. While several years
    are open, each has its own section, the one that closes first at the top, so that nobody
    follows a guide into the wrong year; ``?year=`` shows one year."""
    now = _now()
    year = _requested_year(request, now)
    if year is None:
        return render(request, "registrations/no_years.html")
    page = FirstPagePaginator(selectors.user_roles(request.user), ORGANIZATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    roles = list(page.object_list)
    opened = selectors.open_years(now)
    years = opened if "year" not in request.GET and len(opened) > 1 else [year]
    sections = [_year_section(each, roles, now) for each in years]
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
        **_year_switcher(now, year),
    }
    return render(request, "registrations/connected_organizations.html", context)


# --- Main registration page -------------------------------------------------------------------------


def registration_list(request, year):
    """The main registration page [2020 §IV]: the Security Official's organizations with
    *Organization Size* and *Register* per program — which is also the Registration
    Overview [2020 §IV.9] and the registration summary [2020 §VI]."""
    year = selectors.get_year(year)
    if year.is_cahps_only:
        return redirect(reverse("cahps_registration_list", kwargs={"year": year.year}))
    return _render_list(request, year, page_number=request.GET.get("page"))


def _render_list(request, year, *, page_number, bound=None, status=200):
    """``bound`` = (organization_id, form) re-renders one organization's Register form with
    its errors, keeping what was chosen."""
    now = _now()
    organizations = selectors.security_official_organizations(request.user)
    page = FirstPagePaginator(organizations, ORGANIZATIONS_PER_PAGE).get_page(page_number)
    if not page.object_list:
        return _no_security_official(request)
    window = rules.window_decision(year, now)
    rows = selectors.registration_rows(organizations=page.object_list, year=year, window_open=window.allowed)
    items = []
    for row in rows:
        bound_form = bound[1] if bound is not None and bound[0] == row.organization.pk else None
        # An unbound form is built only when the card is drawn: a cached card needs none.
        form = bound_form or SimpleLazyObject(partial(_register_form, row))
        items.append({"row": row, "form": form, "version": _card_version(row, bound_form)})
    context = {
        "year": year,
        "window": window,
        "items": items,
        "page_obj": page,
        "bound_form": bound[1] if bound is not None else None,
        "printed_at": format_eastern(now),
        **_year_switcher(now, year),
    }
    return render(request, "registrations/registration_list.html", context, status=status)


def _register_form(row):
    return RegisterForm(
        prefix=f"org-{row.organization.pk}", initial={"size": row.size}, size_required=row.size_editable
    )


def _card_version(row, bound_form):
    """A digest of everything one organization's card on the main page is drawn from: the
    organization's own words, its registration's, the rules' outcome in each program cell,
    and a bound Register form (what was typed and the errors, when it comes back with them).
    The template keys the card's cached HTML on it (with the year and whether the window is
    open), so a card is drawn again exactly when one of these changes [issue 10]."""
    organization, registration = row.organization, row.registration
    drawn_from = (
        organization.pk,
        organization.edit_token,
        organization.name,
        organization.kind,
        organization.identifier,
        registration
        and (registration.pk, registration.updated_at, registration.registration_id, registration.size),
        row.size_editable,
        row.cells,
        # An unbound form is drawn from the row alone (its size and whether it is editable).
        bound_form and (sorted(bound_form.data.lists()), bound_form.errors.as_json()),
    )
    return hashlib.sha256(repr(drawn_from).encode()).hexdigest()


@GET_POST
def registration_start(request, year, organization_id):
    """*Register* under a program on the main page [2020 §IV.1–2]: keep the chosen size and
    go on to Submit Registration. Registering the second program carries the organization
    and contacts over, so it completes at once [2020 §IV.9]."""
    now = _now()
    year = _web_interface_year(year)
    organization = _so_organization(request, organization_id)
    if request.method == "GET":
        return redirect(_list_url(year, organization))
    window = rules.window_decision(year, now)
    if not window:
        return _window_closed(
            request,
            year=year,
            organization=organization,
            window=window,
            title="Register",
            back=_list_url(year),
        )
    registration = selectors.find_registration(organization=organization, year=year)
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
        _apply_error(form, error)
        return again()
    if outcome.already_registered:
        messages.info(request, f"{organization.name} is already registered for the {program.label}.")
        return redirect(_without_fragment(_list_url(year, organization)))
    if outcome.carried_over:
        return redirect(
            _url("registration_congratulations", year, organization, program=selectors.PROGRAM_SLUGS[program])
        )
    return redirect(_url("registration_submit", year, organization, program=selectors.PROGRAM_SLUGS[program]))


# --- Submit Registration and Congratulations --------------------------------------------------------


@GET_POST
def registration_submit_view(request, year, organization_id, program):
    """Submit Registration [2020 §IV.3–7]: organization information (*Edit*), contact
    information (*Edit*, *Add New*), then *Register*."""
    now = _now()
    program = _program(program)
    year = _web_interface_year(year)
    organization = _so_organization(request, organization_id)
    detail = selectors.registration_detail(organization=organization, year=year, now=now)
    cell = detail.cell(program)
    if cell is None:
        raise Http404("This program is not offered for this performance year.")
    if request.method == "GET" and detail.registration is None:
        messages.info(request, f"Select the organization size and Register for {organization.name} first.")
        return redirect(_without_fragment(_list_url(year, organization)))
    if cell.is_registered:
        messages.info(request, f"{organization.name} is registered for the {program.label}.")
        return redirect(_url("registration_detail", year, organization))

    error = None
    if request.method == "POST":
        if not detail.window_open:
            return _window_closed(
                request,
                year=year,
                organization=organization,
                window=detail.window,
                title="Submit Registration",
                back=_list_url(year, organization),
            )
        try:
            registration_submit(
                organization=organization, year=year, program=program, size="", by=request.user
            )
        except RegistrationRefused as refusal:
            error = refusal.reason
        else:
            return redirect(
                _url(
                    "registration_congratulations",
                    year,
                    organization,
                    program=selectors.PROGRAM_SLUGS[program],
                )
            )

    context = {
        "year": year,
        "organization": organization,
        "detail": detail,
        "program": program,
        "program_slug": selectors.PROGRAM_SLUGS[program],
        "cell": cell,
        "error": error,
        "prefilled_contact": _prefilled_contact(request.user) if not detail.contacts else None,
        "return_key": f"submit-{selectors.PROGRAM_SLUGS[program]}",
    }
    return render(request, "registrations/submit.html", context)


def _prefilled_contact(user):
    """The first contact starts with the signed-in user's first and last name [2020 §IV.6]."""
    return {"first_name": user.first_name, "last_name": user.last_name}


def registration_congratulations(request, year, organization_id, program):
    """ "Congratulations, you have successfully registered!" with the registration ID and
    *Back to List* [2020 §IV.8]."""
    program = _program(program)
    year = _web_interface_year(year)
    organization = _so_organization(request, organization_id)
    registration = selectors.find_registration(organization=organization, year=year)
    if registration is None or registration.status_for(program) != ProgramStatus.REGISTERED:
        return redirect(_list_url(year, organization))
    context = {
        "year": year,
        "organization": organization,
        "registration": registration,
        "program": program,
        "contacts": list(registration.contacts.all()),
        "back_url": _list_url(year, organization),
        "printed_at": format_eastern(_now()),
    }
    return render(request, "registrations/congratulations.html", context)


# --- Show Details (view and modify) -----------------------------------------------------------------


def registration_detail(request, year, organization_id):
    """*Show Details* [2020 §V, §VI]: the organization and contact information with
    *Edit*, *Delete* and *Add New Contact*, the size with *Edit*, each program's status."""
    now = _now()
    year = _web_interface_year(year)
    organization = _so_organization(request, organization_id)
    detail = selectors.registration_detail(organization=organization, year=year, now=now)
    context = {
        "year": year,
        "organization": organization,
        "detail": detail,
        "reminders_on": receives_reminders(user=request.user, organization=organization),
        "sampling_notices": selectors.sampling_notices(detail.registration),
        "back_url": _list_url(year, organization),
        "return_key": "details",
    }
    return render(request, "registrations/detail.html", context)


@edit_page("Organization Information")
def registration_organization_edit(request, page):
    """Review Organization Information [2020 §IV.4; §V Update Organization Address]."""
    year, organization, back = page.year, page.organization, page.back
    if request.method == "POST":
        form = OrganizationForm(request.POST)
        if form.is_valid():
            try:
                organization_update(
                    organization=organization, year=year, by=request.user, **form.cleaned_data
                )
            except (RegistrationRefused, ValidationError) as error:
                _apply_error(form, error)
            else:
                messages.success(request, f"The organization information of {organization.name} was updated.")
                return redirect(_without_fragment(back.url))
    else:
        form = OrganizationForm(initial=OrganizationForm.initial_for(organization))
    registration = selectors.find_registration(organization=organization, year=year)
    context = {
        "year": year,
        "organization": organization,
        "registration": registration,
        "form": form,
        "fields": _checked_fields(form),
        "back": back,
    }
    return render(request, "registrations/organization_form.html", context)


def _checked_fields(form):
    """Each field with whether its green check mark shows: a required field that is filled
    in and has no error [2020 §IV.4]."""
    items = []
    for bound in form.visible_fields():
        value = bound.value()
        items.append(
            {
                "field": bound,
                "required": bound.field.required,
                "incomplete": not str(value or "").strip() or bool(bound.errors),
                "check_id": f"{bound.auto_id}-check",
                "check_label": f"{bound.label} complete",
            }
        )
    return items


@edit_page("Organization Size", back="list")
def registration_size(request, page):
    """*Edit* next to Size [2020 §V Update Organization Size]: choose the size, then confirm;
    moving a Web Interface registrant to 2–24 says that it cancels the Web Interface
    registration, and does so only once confirmed."""
    year, organization, back = page.year, page.organization, page.back
    registration = selectors.find_registration(organization=organization, year=year)
    warning = ""
    if request.method == "POST":
        form = SizeForm(request.POST)
        if form.is_valid():
            size = form.cleaned_data["size"]
            confirmed = form.cleaned_data["confirm_web_interface_cancellation"]
            try:
                registration, web_interface_cancelled = workflows.registration_size_set(
                    organization=organization,
                    year=year,
                    size=size,
                    by=request.user,
                    confirm_web_interface_cancellation=confirmed,
                )
            except ConfirmationRequired as question:
                warning = question.reason
                form = SizeForm(initial={"size": size, "confirm_web_interface_cancellation": True})
            except RegistrationRefused as error:
                _apply_error(form, error)
            else:
                text = f"The organization size of {organization.name} is {Size(size).label} clinicians."
                if web_interface_cancelled:
                    text += (
                        " Its CMS Web Interface registration was cancelled (registration ID "
                        f"{registration.registration_id})."
                    )
                messages.success(request, text)
                return redirect(_without_fragment(back.url))
    else:
        form = SizeForm(initial={"size": registration.size if registration else ""})
    context = {
        "year": year,
        "organization": organization,
        "registration": registration,
        "form": form,
        "warning": warning,
        "chosen_size": Size(form.initial["size"]).label if warning else "",
        "web_interface_size_rule": rules.WEB_INTERFACE_SIZE_RULE,
        "back": back,
    }
    return render(request, "registrations/size_form.html", context)


# --- Contacts ---------------------------------------------------------------------------------------


@edit_page("Add New Contact")
def registration_contact_add(request, page):
    """*Add New* / *Add New Contact* [2020 §IV.7, §V]; with no contact yet, the form starts
    with the user's first and last name [2020 §IV.6]."""
    year, organization, back = page.year, page.organization, page.back
    registration = selectors.find_registration(organization=organization, year=year)
    first_contact = registration is None or not registration.contacts.all()
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                contact = workflows.registration_contact_add(
                    organization=organization, year=year, by=request.user, **form.values()
                )
            except (RegistrationRefused, ValidationError) as error:
                _apply_error(form, error)
            else:
                messages.success(request, f"{contact.full_name} was added as a contact.")
                return redirect(_without_fragment(back.url))
    else:
        form = ContactForm(initial=_prefilled_contact(request.user) if first_contact else None)
    context = {
        "year": year,
        "organization": organization,
        "registration": registration,
        "form": form,
        "back": back,
        "title": "Contact Information" if first_contact else "Add New Contact",
        "submit_label": "Update" if first_contact else "Add Contact",
    }
    return render(request, "registrations/contact_form.html", context)


def _registration_or_404(organization, year):
    registration = selectors.find_registration(organization=organization, year=year)
    if registration is None:
        raise Http404("No registration yet.")
    return registration


@edit_page("Edit Contact")
def registration_contact_edit(request, page, contact_id):
    """*Edit* under a contact [2020 §IV.6, §V Update Existing Contact]."""
    year, organization, back = page.year, page.organization, page.back
    registration = _registration_or_404(organization, year)
    contact = selectors.get_contact(registration=registration, pk=contact_id)
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                contact = contact_update(
                    registration=registration, contact=contact, by=request.user, **form.cleaned_data
                )
            except (RegistrationRefused, ValidationError) as error:
                _apply_error(form, error)
            else:
                messages.success(request, f"The contact information of {contact.full_name} was updated.")
                return redirect(_without_fragment(back.url))
    else:
        form = ContactForm(initial=ContactForm.initial_for(contact))
    context = {
        "year": year,
        "organization": organization,
        "registration": registration,
        "contact": contact,
        "form": form,
        "back": back,
        "title": "Edit Contact",
        "submit_label": "Update",
    }
    return render(request, "registrations/contact_form.html", context)


@edit_page("Delete Contact")
def registration_contact_delete(request, page, contact_id):
    """*Delete* under a contact, with a confirmation; the last contact stays, and the page
    says why [2020 §V Update Existing Contact]."""
    year, organization, back = page.year, page.organization, page.back
    registration = _registration_or_404(organization, year)
    contact = selectors.get_contact(registration=registration, pk=contact_id)
    decision = rules.contact_deletion(contact_count=len(registration.contacts.all()))
    error = "" if decision else decision.reason
    if request.method == "POST" and decision:
        try:
            contact_delete(registration=registration, contact=contact, by=request.user)
        except RegistrationRefused as refusal:
            error = refusal.reason
        else:
            messages.success(request, f"{contact.full_name} was removed from the contacts.")
            return redirect(_without_fragment(back.url))
    context = {
        "year": year,
        "organization": organization,
        "registration": registration,
        "contact": contact,
        "error": error,
        "back": back,
    }
    return render(request, "registrations/contact_delete.html", context)


# --- Cancel Registration ----------------------------------------------------------------------------


@edit_page("Cancel Registration", back="list")
def registration_cancel_view(request, page, program):
    """*Cancel Registration* → *Continue* / *Cancel* [2020 §VII]. The success message quotes
    the registration ID, which stays the organization's if it registers again."""
    year, organization, back = page.year, page.organization, page.back
    program = _program(program)
    registration = _registration_or_404(organization, year)
    if registration.status_for(program) == ProgramStatus.NOT_REGISTERED:
        messages.info(request, f"{organization.name} is not registered for the {program.label}.")
        return redirect(_without_fragment(back.url))
    error = ""
    if request.method == "POST":
        try:
            registration = registration_cancel(registration=registration, program=program, by=request.user)
        except RegistrationRefused as refusal:
            error = refusal.reason
        else:
            messages.success(
                request,
                f"You have successfully cancelled the {program.label} registration of {organization.name}. "
                f"Record the registration identification number {registration.registration_id} for your "
                "records; all contacts receive an e-mail quoting it.",
            )
            return redirect(_without_fragment(back.url))
    context = {
        "year": year,
        "organization": organization,
        "registration": registration,
        "program": program,
        "error": error,
        "back_url": back.url,
    }
    return render(request, "registrations/cancel.html", context)


@require_http_methods(["GET", "POST"])
def reminder_preference(request, year, organization_id):
    """*Stop deadline reminders* / *Send me deadline reminders* on an organization's page."""
    year = selectors.get_year(year)
    organization = _so_organization(request, organization_id)
    name = "cahps_registration" if year.is_cahps_only else "registration_detail"
    if request.method != "POST":
        return redirect(name, year=year.year, organization_id=organization.pk)
    receive = request.POST.get("receive") == "on"
    reminder_preference_set(user=request.user, organization=organization, receive=receive)
    if receive:
        messages.success(request, f"You will get deadline reminders for {organization.name} again.")
    else:
        messages.success(request, f"You will get no more deadline reminders for {organization.name}.")
    return redirect(name, year=year.year, organization_id=organization.pk)
