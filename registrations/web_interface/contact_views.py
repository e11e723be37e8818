"""The 2020/2021 Contact Information pages: Add New Contact (from the official's existing
contacts too), Edit Contact, Delete Contact [2020 §IV.6–7, §V], and *Update this contact
everywhere*, which gives the same person's other registrations the new e-mail or phone
[issue 27 #3], for the CAHPS-only years' page too.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from qpp_registration.core.exceptions import RegistrationRefused
from qpp_registration.core.submission_keys import submitted_key
from registrations import rules, selectors, workflows
from registrations.detail_services import (
    contact_delete,
    contact_update,
    contact_update_everywhere,
)
from registrations.official_contacts import (
    REACH_FIELDS,
    details_before_change,
    official_contact_of_key,
    official_contacts,
    same_person_elsewhere,
)
from registrations.view_helpers import (
    GET_POST,
    cahps_page_url,
    cahps_so_organization,
    edit_page,
    form_write,
    prefilled_contact,
    registration_or_404,
    return_to,
    so_organization,
    without_fragment,
)
from registrations.web_interface.forms import (
    ContactForm,
    UpdateEverywhereForm,
)


@edit_page("Add New Contact", organization_facts="contact")
def registration_contact_add(request, page):
    """*Add New* / *Add New Contact* [2020 §IV.7, §V]; with no contact yet, the form starts
    with the user's first and last name [2020 §IV.6]. The form's one-time key makes Save pressed
    twice (again after a lost answer) add the contact once, and answer the same both times.

    *Use an existing contact* [issue 27 #3] offers the people on the user's organizations'
    registrations: ``?from_contact=<key>`` draws the form filled in with that person (nothing is
    saved until Save); a key that names none of them is ignored, saying nothing of it."""
    year, organization, back = page.year, page.organization, page.back
    first_contact = not organization.has_contact
    if request.method == "POST":
        form = ContactForm(request.POST)
        written = form_write(
            form,
            lambda form: workflows.registration_contact_add(
                organization=organization,
                year=year,
                by=request.user,
                submission_key=submitted_key(request.POST),
                **form.values(),
            ),
        )
        if written:
            messages.success(request, f"{written.result.full_name} was added as a contact.")
            return redirect(without_fragment(back.url))
        people = official_contacts(request.user)  # read only when the page is drawn again
    else:
        people = official_contacts(request.user)
        chosen = official_contact_of_key(people, request.GET.get("from_contact"))
        if chosen is not None:
            form = ContactForm(initial=chosen.values())
        else:
            form = ContactForm(initial=prefilled_contact(request.user) if first_contact else None)
    context = {
        "year": year,
        "organization": organization,
        "form": form,
        "back": back,
        "title": "Contact Information" if first_contact else "Add New Contact",
        "submit_label": "Update" if first_contact else "Add Contact",
        "people": people,
        "chosen_key": request.GET.get("from_contact", ""),
    }
    return render(request, "registrations/contact_form.html", context)


@edit_page("Edit Contact")
def registration_contact_edit(request, page, contact_id):
    """*Edit* under a contact [2020 §IV.6, §V Update Existing Contact]."""
    year, organization, back = page.year, page.organization, page.back
    registration = registration_or_404(organization, year)
    contact = selectors.get_contact(registration=registration, pk=contact_id)
    if request.method == "POST":
        form = ContactForm(request.POST)
        written = form_write(
            form,
            lambda form: contact_update(
                registration=registration, contact=contact, by=request.user, **form.cleaned_data
            ),
        )
        if written:
            messages.success(request, f"The contact information of {written.result.full_name} was updated.")
            if same_person_elsewhere(request.user, contact=written.result, before=contact):
                return redirect(everywhere_url(year, organization, written.result, back=back.key))
            return redirect(without_fragment(back.url))
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
    registration = registration_or_404(organization, year)
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
            return redirect(without_fragment(back.url))
    context = {
        "year": year,
        "organization": organization,
        "registration": registration,
        "contact": contact,
        "error": error,
        "back": back,
    }
    return render(request, "registrations/contact_delete.html", context)


def everywhere_url(year, organization, contact, *, back=None):
    """*Update this contact everywhere* for ``contact``; ``back``: the edit page's way back."""
    url = reverse(
        "contact_update_everywhere",
        kwargs={"year": year.year, "organization_id": organization.pk, "contact_id": contact.pk},
    )
    return f"{url}?{urlencode({'return_to': back})}" if back else url


@GET_POST
def contact_everywhere(request, year, organization_id, contact_id):
    """*Update this contact everywhere* [issue 27 #3], after a contact's e-mail or phone changed
    (Edit Contact, or a save on the Register for CAHPS page of a CAHPS-only year): the same person
    (first and last name, and the old e-mail or old phone) on the other registrations of the
    user's organizations, each checked, updated by one service on *Update Selected*."""
    year = selectors.get_year(year)
    if year.is_cahps_only:
        organization = cahps_so_organization(request, organization_id)
    else:
        organization = so_organization(request, organization_id)
    registration = registration_or_404(organization, year)
    contact = selectors.get_contact(registration=registration, pk=contact_id)
    if year.is_cahps_only:
        back_url = cahps_page_url(year, organization, f"contact-{contact.pk}")
        back_key = ""
    else:
        back = return_to(request, year, organization)
        back_url, back_key = without_fragment(back.url), back.key
    before = details_before_change(contact)
    others = same_person_elsewhere(request.user, contact=contact, before=before) if before else []
    changes = {
        field: getattr(contact, field)
        for field in REACH_FIELDS
        if getattr(before, field, None) != getattr(contact, field)
    }
    if not others:
        messages.info(
            request,
            f"No other registration of your organizations lists {contact.full_name} with the old details.",
        )
        return redirect(back_url)
    form = UpdateEverywhereForm(request.POST or None, contacts=others)
    if request.method == "POST" and form.is_valid():
        chosen = [other for other in others if other.pk in form.cleaned_data["contact"]]
        outcomes = contact_update_everywhere(
            by=request.user, changes=changes, contacts=chosen, edit_tokens=form.edit_tokens()
        )
        _tell_outcomes(request, contact, outcomes)
        return redirect(back_url)
    context = {
        "year": year,
        "organization": organization,
        "contact": contact,
        "changes": changes,
        "others": others,
        "form": form,
        # Every one checked at first; sent back with an error, as they were sent.
        "checked": set(_posted_ids(request)) if form.is_bound else {other.pk for other in others},
        "back_url": back_url,
        "back_key": back_key,
    }
    return render(
        request, "registrations/contact_everywhere.html", context, status=400 if form.is_bound else 200
    )


def _posted_ids(request):
    """The contact ids a refused form was sent with, to keep them checked."""
    return [int(value) for value in request.POST.getlist("contact") if value.isdigit()]


def _where(contact):
    registration = contact.registration
    return f"{registration.organization.name} ({registration.performance_year.year})"


def _tell_outcomes(request, contact, outcomes):
    updated = [_where(outcome.contact) for outcome in outcomes if outcome.updated]
    if updated:
        count = f"{len(updated)} more registration{'s' if len(updated) > 1 else ''}"
        messages.success(request, f"{contact.full_name} was updated on {count}: {', '.join(updated)}.")
    for outcome in outcomes:
        if not outcome.updated:
            messages.error(
                request, f"{contact.full_name} was not updated on {_where(outcome.contact)}: {outcome.reason}"
            )
