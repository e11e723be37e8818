"""The CAHPS-only (2023) screens that change a registration besides its size: add, change and
delete a contact [2023 §IV.2, §V] and *Delete Registration* behind a confirmation [2023 §VII].
The registration page they return to is ``registrations.cahps.views``; like it, each answers
the auto-save's ``fetch`` with JSON and an ordinary form submit with a redirect or the page
again, with the errors next to the fields (``views.not_saved``).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from qpp_registration.core.eastern import format_eastern
from qpp_registration.core.exceptions import EditConflict, RegistrationRefused
from qpp_registration.core.submission_keys import submitted_key
from registrations import rules, selectors
from registrations.cahps import pages
from registrations.cahps.autosave import (
    PLACED,
    errors_of,
    refused,
    saved,
    wants_json,
    writable_page,
)
from registrations.cahps.forms import CahpsContactForm
from registrations.cahps.views import NEW_CONTACT, not_saved
from registrations.detail_services import contact_add, contact_delete, contact_update
from registrations.models import Program
from registrations.official_contacts import same_person_elsewhere
from registrations.services import (
    registration_cancel,
    registration_discard_start,
)
from registrations.view_helpers import (
    cahps_list_url,
    cahps_page_url,
    cahps_so_organization,
    cahps_year,
)

DELETE_REGISTRATION_MESSAGE = (
    "Are you sure you want to delete this organization’s CAHPS for MIPS Survey registration? It will no "
    "longer be registered. You can register it again before registration closes, and it keeps the same "
    "registration ID."
)


def _contact_saved(request, *, year, organization, contact, repeated=False, link=None):
    return saved(
        request,
        year=year,
        organization=organization,
        message=f"Contact saved: {contact.full_name or contact.email or contact.phone}.",
        anchor=f"contact-{contact.pk}",
        contact=contact,
        repeated=repeated,
        link=link,
    )


@require_POST
def cahps_contact_add(request, year, organization_id):
    """*+ Add another contact* [2023 §IV.2, §V Add New Contact]: saved from its first field.

    The form's one-time key adds the contact once however often the form is sent: the auto-save
    sends it again when an answer is lost. Sent again, it answers with the contact it added and
    ``"repeated": true``, saving nothing; the script then saves what the fields hold by then with
    the contact's own address and the edit token it was added with, so a change made since by
    someone else is not undone.
    """
    year = cahps_year(year)
    organization = cahps_so_organization(request, organization_id)
    page, refusal = writable_page(request, year, organization)
    if refusal is not None:
        return refusal
    key = submitted_key(request.POST)
    added = selectors.contact_of_submission(registration=page.registration, submission_key=key)
    if added is not None:
        return _contact_saved(request, year=year, organization=organization, contact=added, repeated=True)
    form = CahpsContactForm(request.POST, auto_id="contact-new-%s")
    if not form.is_valid():
        return not_saved(request, page, NEW_CONTACT, form)
    try:
        contact = contact_add(
            registration=page.registration, by=request.user, submission_key=key, **form.values()
        )
    except (RegistrationRefused, ValidationError) as error:
        return not_saved(request, page, NEW_CONTACT, form, errors_of(error))
    return _contact_saved(request, year=year, organization=organization, contact=contact)


@require_POST
def cahps_contact_update(request, year, organization_id, contact_id):
    """A contact's fields, saved as they change [2023 §V Add, Update or Remove Contact Information]."""
    year = cahps_year(year)
    organization = cahps_so_organization(request, organization_id)
    page, refusal = writable_page(request, year, organization)
    contact = selectors.get_contact(registration=page.registration, pk=contact_id)
    if refusal is not None:
        return refusal
    key = str(contact.pk)
    form = CahpsContactForm(request.POST, auto_id=f"contact-{key}-%s")
    if not form.is_valid():
        return not_saved(request, page, key, form)
    before = contact
    try:
        contact = contact_update(
            registration=page.registration, contact=contact, by=request.user, **form.cleaned_data
        )
    except EditConflict as conflict:
        if wants_json(request):
            # The script keeps the old token: every later change of this contact is refused
            # the same way until the page shows the other change.
            advice = "Reload the page to see their change, then make yours again."
        else:
            form.refresh_edit_token(conflict.edit_token)
            advice = (
                "The form still shows what you typed: select Save contact to replace their change "
                "with yours, or Back to List to keep theirs."
            )
        return not_saved(request, page, key, form, {"__all__": [f"{conflict.reason} {advice}"]})
    except (RegistrationRefused, ValidationError) as error:
        return not_saved(request, page, key, form, errors_of(error))
    link = None
    # A new e-mail or phone of a person who is a contact elsewhere too: offer to update them there.
    if same_person_elsewhere(request.user, contact=contact, before=before):
        everywhere = reverse(
            "contact_update_everywhere",
            kwargs={"year": year.year, "organization_id": organization.pk, "contact_id": contact.pk},
        )
        link = ("Update this contact everywhere", everywhere)
    return _contact_saved(request, year=year, organization=organization, contact=contact, link=link)


@require_http_methods(["GET", "POST"])
def cahps_contact_delete(request, year, organization_id, contact_id):
    """*Delete Contact*, confirmed with *Delete* [2023 §V]. The last contact cannot be
    deleted: edit it, or add another contact first."""
    year = cahps_year(year)
    organization = cahps_so_organization(request, organization_id)
    page = pages.cahps_page(organization=organization, year=year, now=timezone.now())
    contact = selectors.get_contact(registration=page.registration, pk=contact_id)
    row = next(row for row in page.contacts if row.contact.pk == contact.pk)
    back = cahps_page_url(year, organization, f"contact-{contact.pk}")
    if request.method == "POST":
        _, refusal = writable_page(request, year, organization)
        if refusal is not None:
            return refusal
    elif not page.editable:
        reason = page.window.reason if not page.window.allowed else page.decision.reason
        return refused(request, year=year, organization=organization, reason=reason, back=back, status=200)
    decision = rules.contact_deletion(contact_count=len(page.contacts))
    error = "" if decision else decision.reason
    if request.method == "POST" and decision:
        try:
            contact_delete(registration=page.registration, contact=contact, by=request.user)
        except RegistrationRefused as refusal:
            error = refusal.reason
        else:
            messages.success(
                request,
                f"Contact {row.number} ({contact.full_name or contact.email}) was deleted.",
                extra_tags=PLACED + "contacts",
            )
            return redirect(cahps_page_url(year, organization, "contacts"))
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
    year = cahps_year(year)
    organization = cahps_so_organization(request, organization_id)
    page = pages.cahps_page(organization=organization, year=year, now=timezone.now())
    if page.registration is None:
        raise Http404("No CAHPS registration.")
    back = cahps_page_url(year, organization)
    if not page.can_delete_registration:
        if page.state != pages.CAHPS_STARTED and page.window.allowed and page.decision:
            reason = f"{organization.name} has no CAHPS registration to delete."
        else:
            reason = page.window.reason if not page.window.allowed else page.decision.reason
        status = 403 if request.method == "POST" else 200
        return refused(request, year=year, organization=organization, reason=reason, back=back, status=status)
    error = ""
    if request.method == "POST":
        try:
            if page.state == pages.CAHPS_NEW:
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
            return redirect(cahps_list_url(year, organization).split("#", 1)[0])
    context = {
        "year": year,
        "organization": organization,
        "registration": page.registration,
        "error": error,
        "back": back,
        "delete_message": DELETE_REGISTRATION_MESSAGE,
    }
    return render(request, "registrations/cahps/delete_registration.html", context)
