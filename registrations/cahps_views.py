"""The CAHPS-only registration screens: performance year 2023 and any year configured like it.

The pages follow the 2023 CAHPS for MIPS Survey guide: *Register and Edit CAHPS
Registration* with one tab per organization type [2023 §III.5–7], the *Register
for CAHPS* page whose changes save as they are made [2023 §III.8, §IV, §V],
*Delete Contact* and *Delete Registration* behind a confirmation [2023 §V, §VII],
and *Download Group CAHPS Registration Summary* once Complete [2023 §VI].

Auto-save is progressive enhancement: ``static/js/autosave.js`` posts each group
of fields (the size, one contact) with ``fetch`` and an ``Accept: application/json``
header, and the same endpoints answer an ordinary form submit with a redirect
(or the page again, with the errors next to the fields), so the page works with
JavaScript off.

Every view fetches the organization through the signed-in user's Security
Official role (``get_organization_for_user``: 404 for anyone else), and every
write goes through a service, which checks the window and the rules again.
Outside the registration window the pages are read-only and say when it opens
or that it closed; a POST is refused.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organizations.selectors import get_organization_for_security_official
from qpp_registration.core.eastern import format_eastern
from qpp_registration.core.exceptions import EditConflict, RegistrationRefused
from qpp_registration.pagination import FirstPagePaginator
from registrations import rules, selectors, workflows
from registrations.cahps_forms import CahpsContactForm, CahpsFilterForm, CahpsSizeForm
from registrations.detail_services import contact_add, contact_delete, contact_update
from registrations.models import Program, ProgramStatus, Size
from registrations.services import (
    receives_reminders,
    registration_cancel,
    registration_change_size,
    registration_discard_start,
    registration_submit,
)
from registrations.summary_pdf import cahps_summary_pdf

ORGANIZATIONS_PER_PAGE = 25
NEW_CONTACT = "new"
DELETE_REGISTRATION_MESSAGE = (
    "Are you sure you want to delete this organization’s CAHPS for MIPS Survey registration? It will no "
    "longer be registered. You can register it again before registration closes, and it keeps the same "
    "registration ID."
)


# --- Helpers ----------------------------------------------------------------------------------------


def _cahps_year(year):
    """The performance year of these screens; a year with the Web Interface has its own (404)."""
    performance_year = selectors.get_year(year)
    if not performance_year.is_cahps_only:
        raise Http404("This performance year uses the CMS Web Interface and CAHPS registration pages.")
    return performance_year


def _so_organization(request, organization_id):
    """The organization, only if the signed-in user is its Security Official [2023 §III.7]."""
    return get_organization_for_security_official(request.user, organization_id, changes="deleting")


def _wants_json(request):
    """The auto-save script asks for JSON; an ordinary form submit asks for a page."""
    return "application/json" in request.headers.get("Accept", "")


def _list_url(year, organization=None):
    url = reverse("cahps_registration_list", kwargs={"year": year.year})
    if organization is None:
        return url
    tab = next(spec.slug for spec in selectors.CAHPS_TAB_SPECS if organization.kind in spec.kinds)
    return f"{url}?{urlencode({'tab': tab})}#org-{organization.pk}"


def _page_url(year, organization, anchor=""):
    url = reverse("cahps_registration", kwargs={"year": year.year, "organization_id": organization.pk})
    return f"{url}#{anchor}" if anchor else url


def _refused(request, *, year, organization, reason, back, status=403):
    """A write the rules refuse: a JSON answer for the script, a page otherwise."""
    if _wants_json(request):
        return JsonResponse({"saved": False, "message": reason, "errors": {}}, status=status)
    context = {"year": year, "organization": organization, "reason": reason, "back": back}
    return render(request, "registrations/cahps/refused.html", context, status=status)


def _writable_page(request, year, organization):
    """The page data, or a refusal response when the Security Official may not change it.

    Outside the window, for a subgroup (the QPP Service Center completes those [2023 §I]),
    an automatically registered SSP ACO, or a deleted registration, writes are refused
    before any service runs; the services check the same rules again.
    """
    page = selectors.cahps_page(organization=organization, year=year, now=timezone.now())
    back = _page_url(year, organization) if page.registration else _list_url(year, organization)
    if not page.window.allowed:
        return page, _refused(
            request, year=year, organization=organization, reason=page.window.reason, back=back
        )
    if not page.decision:
        return page, _refused(
            request, year=year, organization=organization, reason=page.decision.reason, back=back
        )
    if page.registration is None:
        return page, _refused(
            request,
            year=year,
            organization=organization,
            reason=f"Select Register Group for CAHPS for {organization.name} first.",
            back=_list_url(year, organization),
            status=409,
        )
    if page.state == selectors.CAHPS_DELETED:
        return page, _refused(
            request,
            year=year,
            organization=organization,
            reason=(
                f"The CAHPS registration of {organization.name} was deleted. Select Register Group for "
                "CAHPS to register again; the registration ID stays the same."
            ),
            back=_page_url(year, organization),
            status=409,
        )
    return page, None


def _errors_of(error):
    """A service's ``ValidationError`` / refusal as ``{field: [messages]}`` ("__all__" for the form)."""
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return {field: list(messages_) for field, messages_ in error.message_dict.items()}
        return {"__all__": error.messages}
    return {error.field or "__all__": [error.reason]}


def _form_errors(form):
    """``form.errors`` as plain ``{field: [messages]}`` for a JSON answer."""
    return {
        field: [error["message"] for error in errors] for field, errors in form.errors.get_json_data().items()
    }


def _add_errors(form, errors):
    for field, field_messages in errors.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)


def _header_state(year, organization, *, contact=None):
    """What the page's header, status and buttons show after a save, for the script."""
    page = selectors.cahps_page(organization=organization, year=year, now=timezone.now())
    state = {
        "registration_id": page.registration.registration_id if page.registration else "",
        "status": page.status,
        "status_text": page.status_text,
        "status_html": render_to_string(
            "registrations/cahps/_status.html", {"status": page.status, "status_text": page.status_text}
        ),
        "contact_count": page.contacts_receiving_updates,
        "contact_total": len(page.contacts),
        "can_delete_registration": page.can_delete_registration,
        "can_delete_contacts": len(page.contacts) > 1,
        "can_download": page.can_download,
    }
    if contact is not None:
        row = next((row for row in page.contacts if row.contact.pk == contact.pk), None)
        state["contact"] = {
            "id": contact.pk,
            "number": row.number if row else None,
            "missing": list(row.missing) if row else [],
            "update_url": reverse(
                "cahps_contact_update",
                kwargs={"year": year.year, "organization_id": organization.pk, "contact_id": contact.pk},
            ),
            "delete_url": reverse(
                "cahps_contact_delete",
                kwargs={"year": year.year, "organization_id": organization.pk, "contact_id": contact.pk},
            ),
            "values": CahpsContactForm.initial_for(contact),
        }
    return state


def _saved(request, *, year, organization, message, anchor, contact=None):
    if _wants_json(request):
        return JsonResponse(
            {
                "saved": True,
                "message": message,
                "errors": {},
                **_header_state(year, organization, contact=contact),
            }
        )
    messages.success(request, message)
    return redirect(_page_url(year, organization, anchor))


def _not_saved(request, *, year, organization, page, errors, bound):
    """Bad input: the errors next to the fields, what was typed kept, nothing saved."""
    if _wants_json(request):
        first = next(iter(errors.values()))[0] if errors else "The change was not saved."
        return JsonResponse({"saved": False, "message": first, "errors": errors}, status=400)
    return _render_page(request, page, bound=bound, status=400)


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
def cahps_registration_list(request, year):
    """*Register and Edit CAHPS Registration* [2023 §III.6–7, §VI]: tabs of the organization
    types the user is a Security Official of, each organization with its CAHPS status and
    *Register Group for CAHPS*; filter by status and search by name or identifier."""
    now = timezone.now()
    year = selectors.get_year(year)
    if not year.is_cahps_only:
        return redirect("registration_list", year=year.year)
    tabs = selectors.cahps_tabs(request.user, request.GET.get("tab", ""))
    if not tabs:
        # [2023 §III.7]: without the Security Official role there is nothing to register.
        return render(request, "registrations/cahps/no_security_official.html", status=403)
    tab = next(tab for tab in tabs if tab.selected)
    filter_form = CahpsFilterForm(request.GET)
    status, query = filter_form.filters()
    organizations = selectors.cahps_organizations(
        request.user, year=year, tab=tab.slug, status=status, query=query
    )
    page = FirstPagePaginator(organizations, ORGANIZATIONS_PER_PAGE).get_page(request.GET.get("page"))
    window = rules.window_decision(year, now)
    rows = selectors.cahps_rows(organizations=page.object_list, year=year, window_open=window.allowed)
    filtered = bool(status or query)
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
        # Said once above the table rather than in every subgroup's row [2023 §I].
        "service_center_note": next((row.reason for row in rows if row.service_center), ""),
        "page_obj": page,
        "year_options": selectors.year_options(now, year),
    }
    return render(request, "registrations/cahps/list.html", context)


@require_POST
def cahps_register(request, year, organization_id):
    """*Register Group for CAHPS* [2023 §III.7, §IV]: the registration and its ID exist from
    here on; it starts (Incomplete) once the size is chosen. After a deletion the
    organization registers again with the same registration ID [2023 §VII]."""
    year = _cahps_year(year)
    organization = _so_organization(request, organization_id)
    now = timezone.now()
    window = rules.window_decision(year, now)
    back = _list_url(year, organization)
    if not window:
        return _refused(request, year=year, organization=organization, reason=window.reason, back=back)
    decision = selectors.cahps_decision(organization=organization, year=year)
    if not decision:
        return _refused(request, year=year, organization=organization, reason=decision.reason, back=back)
    try:
        registration = workflows.cahps_register(organization=organization, year=year, by=request.user)
    except RegistrationRefused as refusal:
        return _refused(request, year=year, organization=organization, reason=refusal.reason, back=back)
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
    return redirect(_page_url(year, organization))


# --- Register for CAHPS (the registration page) -----------------------------------------------------


@require_GET
def cahps_registration(request, year, organization_id):
    """*Register for CAHPS* [2023 §III.8, §IV, §V]: the header with the registration ID and
    the number of contacts receiving updates, *Delete Registration*, *Organization Size*,
    the contacts and *+ Add another contact*. Read-only outside the window."""
    year = _cahps_year(year)
    organization = _so_organization(request, organization_id)
    page = selectors.cahps_page(organization=organization, year=year, now=timezone.now())
    if page.registration is None:
        if page.window.allowed and page.decision:
            messages.info(request, f"Select Register Group for CAHPS next to {organization.name} to start.")
        else:
            messages.info(request, f"{organization.name} has no CAHPS registration for {year.year}.")
        return redirect(_list_url(year, organization))
    return _render_page(request, page)


def _render_page(request, page, *, bound=None, status=200):
    """``bound`` = ``{"size": form}`` or ``{contact_key: form}``: a form re-shown with its errors
    and what was typed."""
    bound = bound or {}
    user = request.user
    size_form = bound.get("size") or CahpsSizeForm(
        initial={"size": page.registration.size}, auto_id="size-%s"
    )
    contact_forms = []
    for row in page.contacts:
        key = str(row.contact.pk)
        form = bound.get(key) or CahpsContactForm(
            initial=CahpsContactForm.initial_for(row.contact), auto_id=f"contact-{key}-%s"
        )
        contact_forms.append({"row": row, "form": form, "key": key})
    new_form = bound.get(NEW_CONTACT)
    adding = new_form is not None or request.GET.get("add") == "1" or not page.contacts
    if new_form is None and adding:
        # The first contact starts with the signed-in user's name [SPEC §6; 2020 §IV.6].
        initial = {"first_name": user.first_name, "last_name": user.last_name} if not page.contacts else None
        new_form = CahpsContactForm(initial=initial, auto_id="contact-new-%s")
    context = {
        "year": page.year,
        "organization": page.organization,
        "page": page,
        "registration": page.registration,
        "size_form": size_form,
        "contact_forms": contact_forms,
        "new_form": new_form if adding else None,
        "template_form": CahpsContactForm(auto_id="contact-new-__n__-%s"),
        "list_url": _list_url(page.year, page.organization),
        "error_form": next(iter(bound.values()), None),
        "reminders_on": receives_reminders(user=user, organization=page.organization),
        "sampling_notices": selectors.sampling_notices(page.registration),
    }
    return render(request, "registrations/cahps/register.html", context, status=status)


@require_POST
def cahps_size(request, year, organization_id):
    """*Organization Size*, saved when chosen [2023 §IV.1, §V Update Organization Size].

    Choosing the size starts the registration (Incomplete, or Complete when a complete
    contact exists already) [2023 §IV.3]."""
    year = _cahps_year(year)
    organization = _so_organization(request, organization_id)
    page, refusal = _writable_page(request, year, organization)
    if refusal is not None:
        return refusal
    form = CahpsSizeForm(request.POST, auto_id="size-%s")
    if not form.is_valid():
        return _not_saved(
            request,
            year=year,
            organization=organization,
            page=page,
            errors=_form_errors(form),
            bound={"size": form},
        )
    size = form.cleaned_data["size"]
    try:
        if page.state == selectors.CAHPS_NEW:
            registration_submit(
                organization=organization, year=year, program=Program.CAHPS, size=size, by=request.user
            )
        else:
            registration_change_size(registration=page.registration, size=size, by=request.user)
    except RegistrationRefused as error:
        errors = _errors_of(error)
        _add_errors(form, errors)
        return _not_saved(
            request, year=year, organization=organization, page=page, errors=errors, bound={"size": form}
        )
    return _saved(
        request,
        year=year,
        organization=organization,
        message=f"Organization Size saved: {Size(size).label} clinicians.",
        anchor="organization-size",
    )


@require_POST
def cahps_contact_add(request, year, organization_id):
    """*+ Add another contact* [2023 §IV.2, §V Add New Contact]: saved from its first field."""
    year = _cahps_year(year)
    organization = _so_organization(request, organization_id)
    page, refusal = _writable_page(request, year, organization)
    if refusal is not None:
        return refusal
    form = CahpsContactForm(request.POST, auto_id="contact-new-%s")
    if not form.is_valid():
        return _not_saved(
            request,
            year=year,
            organization=organization,
            page=page,
            errors=_form_errors(form),
            bound={NEW_CONTACT: form},
        )
    try:
        contact = contact_add(registration=page.registration, by=request.user, **form.values())
    except (RegistrationRefused, ValidationError) as error:
        errors = _errors_of(error)
        _add_errors(form, errors)
        return _not_saved(
            request, year=year, organization=organization, page=page, errors=errors, bound={NEW_CONTACT: form}
        )
    return _saved(
        request,
        year=year,
        organization=organization,
        message=f"Contact saved: {contact.full_name or contact.email or contact.phone}.",
        anchor=f"contact-{contact.pk}",
        contact=contact,
    )


@require_POST
def cahps_contact_update(request, year, organization_id, contact_id):
    """A contact's fields, saved as they change [2023 §V Add, Update or Remove Contact Information]."""
    year = _cahps_year(year)
    organization = _so_organization(request, organization_id)
    page, refusal = _writable_page(request, year, organization)
    contact = selectors.get_contact(registration=page.registration, pk=contact_id)
    if refusal is not None:
        return refusal
    key = str(contact.pk)
    form = CahpsContactForm(request.POST, auto_id=f"contact-{key}-%s")
    if not form.is_valid():
        return _not_saved(
            request,
            year=year,
            organization=organization,
            page=page,
            errors=_form_errors(form),
            bound={key: form},
        )
    try:
        contact = contact_update(
            registration=page.registration, contact=contact, by=request.user, **form.cleaned_data
        )
    except EditConflict as conflict:
        if _wants_json(request):
            # The script keeps the old token: every later change of this contact is refused
            # the same way until the page shows the other change.
            advice = "Reload the page to see their change, then make yours again."
        else:
            form.refresh_edit_token(conflict.edit_token)
            advice = (
                "The form still shows what you typed: select Save contact to replace their change "
                "with yours, or Back to List to keep theirs."
            )
        errors = {"__all__": [f"{conflict.reason} {advice}"]}
        _add_errors(form, errors)
        return _not_saved(
            request, year=year, organization=organization, page=page, errors=errors, bound={key: form}
        )
    except (RegistrationRefused, ValidationError) as error:
        errors = _errors_of(error)
        _add_errors(form, errors)
        return _not_saved(
            request, year=year, organization=organization, page=page, errors=errors, bound={key: form}
        )
    return _saved(
        request,
        year=year,
        organization=organization,
        message=f"Contact saved: {contact.full_name or contact.email or contact.phone}.",
        anchor=f"contact-{contact.pk}",
        contact=contact,
    )


@require_http_methods(["GET", "POST"])
def cahps_contact_delete(request, year, organization_id, contact_id):
    """*Delete Contact*, confirmed with *Delete* [2023 §V]. The last contact cannot be
    deleted: edit it, or add another contact first."""
    year = _cahps_year(year)
    organization = _so_organization(request, organization_id)
    page = selectors.cahps_page(organization=organization, year=year, now=timezone.now())
    contact = selectors.get_contact(registration=page.registration, pk=contact_id)
    row = next(row for row in page.contacts if row.contact.pk == contact.pk)
    back = _page_url(year, organization, f"contact-{contact.pk}")
    if request.method == "POST":
        _, refusal = _writable_page(request, year, organization)
        if refusal is not None:
            return refusal
    elif not page.editable:
        reason = page.window.reason if not page.window.allowed else page.decision.reason
        return _refused(request, year=year, organization=organization, reason=reason, back=back, status=200)
    decision = rules.contact_deletion(contact_count=len(page.contacts))
    error = "" if decision else decision.reason
    if request.method == "POST" and decision:
        try:
            contact_delete(registration=page.registration, contact=contact, by=request.user)
        except RegistrationRefused as refusal:
            error = refusal.reason
        else:
            messages.success(
                request, f"Contact {row.number} ({contact.full_name or contact.email}) was deleted."
            )
            return redirect(_page_url(year, organization, "contacts"))
    context = {
        "year": year,
        "organization": organization,
        "registration": page.registration,
        "contact": contact,
        "number": row.number,
        "error": error,
        "back": back,
    }
    status = 409 if request.method == "POST" and error else 200
    return render(request, "registrations/cahps/delete_contact.html", context, status=status)


@require_http_methods(["GET", "POST"])
def cahps_delete(request, year, organization_id):
    """*Delete Registration*, confirmed with *Delete* [2023 §VII]. The organization no
    longer shows as registered; it can register again in the window and keeps its ID."""
    year = _cahps_year(year)
    organization = _so_organization(request, organization_id)
    page = selectors.cahps_page(organization=organization, year=year, now=timezone.now())
    if page.registration is None:
        raise Http404("No CAHPS registration.")
    back = _page_url(year, organization)
    if not page.can_delete_registration:
        if page.state != selectors.CAHPS_STARTED and page.window.allowed and page.decision:
            reason = f"{organization.name} has no CAHPS registration to delete."
        else:
            reason = page.window.reason if not page.window.allowed else page.decision.reason
        status = 403 if request.method == "POST" else 200
        return _refused(
            request, year=year, organization=organization, reason=reason, back=back, status=status
        )
    error = ""
    if request.method == "POST":
        try:
            if page.state == selectors.CAHPS_NEW:
                registration = registration_discard_start(registration=page.registration, by=request.user)
            else:
                registration = registration_cancel(
                    registration=page.registration, program=Program.CAHPS, by=request.user
                )
        except RegistrationRefused as refusal:
            error = refusal.reason
        else:
            messages.success(
                request,
                f"The CAHPS for MIPS Survey registration of {organization.name} was deleted. To register "
                f"again before {format_eastern(year.window_closes)}, select Register Group for CAHPS; "
                f"the registration ID stays {registration.registration_id}.",
            )
            # The organization's tab, at the top where the message is (not scrolled to its row).
            return redirect(_list_url(year, organization).split("#", 1)[0])
    context = {
        "year": year,
        "organization": organization,
        "registration": page.registration,
        "error": error,
        "back": back,
        "delete_message": DELETE_REGISTRATION_MESSAGE,
    }
    return render(request, "registrations/cahps/delete_registration.html", context)


# --- Download Group CAHPS Registration Summary ------------------------------------------------------


@require_GET
def cahps_summary(request, year, organization_id):
    """*Download Group CAHPS Registration Summary* [2023 §VI]: a PDF to keep on file, since no
    confirmation e-mail is sent [2023 §IV.3]. Only for a Complete registration."""
    year = _cahps_year(year)
    organization = _so_organization(request, organization_id)
    page = selectors.cahps_page(organization=organization, year=year, now=timezone.now())
    if not page.can_download:
        raise Http404("The summary is available once the CAHPS registration is complete.")
    completion = selectors.cahps_completion(page.registration)
    pdf = cahps_summary_pdf(
        registration=page.registration,
        contacts=[row.contact for row in page.contacts],
        completed_at=completion.at,
        completed_by=completion.by,
        downloaded_at=timezone.now(),
        downloaded_by=request.user,
    )
    filename = f"CAHPS-Registration-Summary-{year.year}-{page.registration.registration_id}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
