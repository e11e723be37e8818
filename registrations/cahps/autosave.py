"""The CAHPS page's auto-save protocol [2023 §IV: the page saves as the Security Official types].

``static/js/autosave.js`` posts each group of fields (the size, one contact) with
``fetch`` and an ``Accept: application/json`` header; the answer is
``{"saved", "message", "errors", ...}`` with, after a save, the header's new state
(registration ID, status and its HTML, contact counts, which buttons show, and the
saved contact's URLs and values). The same endpoints answer an ordinary form submit
with a redirect, or a page, so everything works with JavaScript off.

A new contact's form carries a one-time key (``core.submission_keys``): the script keeps it
across its retries, so a save whose answer was lost, sent again, finds the contact the first one
added (``"repeated": true``) instead of adding another.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from registrations.cahps import pages
from registrations.cahps.forms import CahpsContactForm
from registrations.reminders import page_reminders
from registrations.view_helpers import cahps_list_url, cahps_page_url


def wants_json(request):
    """The auto-save script asks for JSON; an ordinary form submit asks for a page."""
    return "application/json" in request.headers.get("Accept", "")


def refused(request, *, year, organization, reason, back, status=403):
    """A write the rules refuse: a JSON answer for the script, a page otherwise."""
    if wants_json(request):
        return JsonResponse({"saved": False, "message": reason, "errors": {}}, status=status)
    context = {"year": year, "organization": organization, "reason": reason, "back": back}
    return render(request, "registrations/cahps/refused.html", context, status=status)


def errors_of(error):
    """A service's ``ValidationError`` / refusal as ``{field: [messages]}`` ("__all__" for the form)."""
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return {field: list(messages_) for field, messages_ in error.message_dict.items()}
        return {"__all__": error.messages}
    return {error.field or "__all__": [error.reason]}


def form_errors(form):
    """``form.errors`` as plain ``{field: [messages]}`` for a JSON answer."""
    return {
        field: [error["message"] for error in errors] for field, errors in form.errors.get_json_data().items()
    }


def add_errors(form, errors):
    for field, field_messages in errors.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)


def header_state(year, organization, *, contact=None):
    """What the page's header, status and buttons show after a save, for the script."""
    page = pages.cahps_page(organization=organization, year=year, now=timezone.now())
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
        # Whether a deadline reminder is still to be sent: the reminders box shows only then.
        "reminders": page_reminders(
            organization=organization, year=year, registration=page.registration, now=timezone.now()
        )
        is not None,
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


def saved(request, *, year, organization, message, anchor, contact=None, repeated=False, link=None):
    """``repeated``: the save was sent before and saved then (a new contact's add, sent again
    with its key); nothing was saved now. The script sends the fields again to ``contact``, with
    the edit token the contact had when it was added: a change someone made since is not undone
    (docs/decisions/0003-edit-tokens.md). ``link``: ``(text, url)`` of a next step the message
    offers (*Update this contact everywhere*)."""
    if wants_json(request):
        data = {
            "saved": True,
            "message": message,
            "errors": {},
            **header_state(year, organization, contact=contact),
        }
        if link is not None:
            data["link"] = {"text": link[0], "url": link[1]}
        if repeated:
            data["repeated"] = True
            data["contact"]["values"]["edit_token"] = _edit_token_as_added(contact)
        return JsonResponse(data)
    # Without JavaScript the browser jumps to the saved section: the message waits there,
    # not at the top of the page, out of view.
    if link is not None:
        message = format_html('{} <a class="usa-link" href="{}">{}</a>', message, link[1], link[0])
    messages.success(request, message, extra_tags=PLACED + anchor)
    return redirect(cahps_page_url(year, organization, anchor))


def _edit_token_as_added(contact):
    """``contact.edit_token`` as it was right after the contact was added: its first history record."""
    added = contact.history.order_by("history_id").values_list("updated_at", flat=True).first()
    return added.isoformat() if added else contact.edit_token


PLACED = "placed-at:"


def placed_messages(request, anchors):
    """Split this request's messages into those shown next to a section of the page (keyed by
    its anchor) and the rest, shown at the top as on every page."""
    placed = {anchor: [] for anchor in anchors}
    rest = []
    for message in messages.get_messages(request):
        anchor = message.extra_tags.removeprefix(PLACED)
        placed.get(anchor, rest).append(message)
    return placed, rest


def writable_page(request, year, organization):
    """The page data, or a refusal response when the Security Official may not change it.

    Outside the window, for a subgroup (the QPP Service Center completes those [2023 §I]),
    an automatically registered SSP ACO, or a deleted registration, writes are refused
    before any service runs; the services check the same rules again.
    """
    page = pages.cahps_page(organization=organization, year=year, now=timezone.now())
    back = cahps_page_url(year, organization) if page.registration else cahps_list_url(year, organization)
    if not page.window.allowed:
        return page, refused(
            request, year=year, organization=organization, reason=page.window.reason, back=back
        )
    if not page.decision:
        return page, refused(
            request, year=year, organization=organization, reason=page.decision.reason, back=back
        )
    if page.registration is None:
        return page, refused(
            request,
            year=year,
            organization=organization,
            reason=f"Select Register Group for CAHPS for {organization.name} first.",
            back=cahps_list_url(year, organization),
            status=409,
        )
    if page.state == pages.CAHPS_DELETED:
        return page, refused(
            request,
            year=year,
            organization=organization,
            reason=(
                f"The CAHPS registration of {organization.name} was deleted. Select Register Group for "
                "CAHPS to register again; the registration ID stays the same."
            ),
            back=cahps_page_url(year, organization),
            status=409,
        )
    return page, None
