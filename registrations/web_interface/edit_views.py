"""The 2020/2021 pages that change a registration: Organization Information, Organization
Size, Cancel Registration [2020 §IV.4–5, §V, §VII] and the deadline-reminder preference; the
contacts' pages are ``contact_views``.

Each resolves its year, organization (only for its Security Official) and way back with
``view_helpers.edit_page``, which answers read-only outside the window, and makes its
change through one service.
"""

import functools

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import get_language, override
from django.views.decorators.http import require_http_methods

from qpp_registration.core.exceptions import ConfirmationRequired, RegistrationRefused
from registrations import rules, selectors, workflows
from registrations.detail_services import (
    organization_update,
)
from registrations.models import ProgramStatus, Size
from registrations.reminders import reminder_preference_set
from registrations.services import (
    registration_cancel,
)
from registrations.view_helpers import (
    edit_page,
    form_write,
    program_of_slug,
    registration_or_404,
    so_organization,
    without_fragment,
)
from registrations.web_interface.forms import (
    STATE_OPTIONS,
    OrganizationForm,
    SizeForm,
)


@edit_page("Organization Information", organization_facts="size")
def registration_organization_edit(request, page):
    """Review Organization Information [2020 §IV.4; §V Update Organization Address]."""
    year, organization, back = page.year, page.organization, page.back
    if request.method == "POST":
        form = OrganizationForm(request.POST)
        if form_write(
            form,
            lambda form: organization_update(
                organization=organization, year=year, by=request.user, **form.cleaned_data
            ),
        ):
            messages.success(request, f"The organization information of {organization.name} was updated.")
            return redirect(without_fragment(back.url))
    else:
        form = OrganizationForm(initial=OrganizationForm.initial_for(organization))
    context = {
        "year": year,
        "organization": organization,
        "size_label": Size(organization.registration_size).label if organization.registration_size else "",
        "form": form,
        "fields": _checked_fields(form),
        "state_choices": _state_choices(get_language()),
        "back": back,
    }
    return render(request, "registrations/organization_form.html", context)


@functools.cache
def _state_choices(language):
    """The State select's choices as plain text in ``language``: the labels are lazy
    translations, each worth a gettext call per page otherwise. Text of the code, not data."""
    with override(language):
        return tuple((value, str(label)) for value, label in STATE_OPTIONS)


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
        try:
            written = form_write(
                form,
                lambda form: workflows.registration_size_set(
                    organization=organization,
                    year=year,
                    size=form.cleaned_data["size"],
                    by=request.user,
                    confirm_web_interface_cancellation=form.cleaned_data[
                        "confirm_web_interface_cancellation"
                    ],
                ),
            )
        except ConfirmationRequired as question:
            warning = question.reason
            form = SizeForm(
                initial={"size": form.cleaned_data["size"], "confirm_web_interface_cancellation": True}
            )
            written = None
        if written:
            registration, web_interface_cancelled = written.result
            size = form.cleaned_data["size"]
            text = f"The organization size of {organization.name} is {Size(size).label} clinicians."
            if web_interface_cancelled:
                text += (
                    " Its CMS Web Interface registration was cancelled (registration ID "
                    f"{registration.registration_id})."
                )
            messages.success(request, text)
            return redirect(without_fragment(back.url))
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


# --- Cancel Registration ----------------------------------------------------------------------------


@edit_page("Cancel Registration", back="list")
def registration_cancel_view(request, page, program):
    """*Cancel Registration* → *Continue* / *Cancel* [2020 §VII]. The success message quotes
    the registration ID, which stays the organization's if it registers again."""
    year, organization, back = page.year, page.organization, page.back
    program = program_of_slug(program)
    registration = registration_or_404(organization, year)
    if registration.status_for(program) == ProgramStatus.NOT_REGISTERED:
        messages.info(request, f"{organization.name} is not registered for the {program.label}.")
        return redirect(without_fragment(back.url))
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
            return redirect(without_fragment(back.url))
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
    organization = so_organization(request, organization_id)
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
