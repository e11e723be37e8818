"""The CAHPS-only registration screens: performance year 2023 and any year configured like it.

The pages follow the 2023 CAHPS for MIPS Survey guide: *Register and Edit CAHPS
Registration* with one tab per organization type [2023 §III.5–7] is
``registrations.cahps.list_views``; here are the *Register for CAHPS* page, whose
changes save as they are made [2023 §III.8, §IV, §V],
and its *Organization Size*; adding, changing and deleting contacts and *Delete Registration*
are ``registrations.cahps.edit_views``, and the summary PDF ``registrations.documents``.

Auto-save is progressive enhancement (the protocol: ``registrations.cahps.autosave``):
``static/js/autosave.js`` posts each group of fields (the size, one contact) with
``fetch`` and an ``Accept: application/json`` header, and the same endpoints answer
an ordinary form submit with a redirect (or the page again, with the errors next to
the fields), so the page works with JavaScript off.

Every view fetches the organization through the signed-in user's Security
Official role (``get_organization_for_user``: 404 for anyone else), and every
write goes through a service, which checks the window and the rules again.
Outside the registration window the pages are read-only and say when it opens
or that it closed; a POST is refused.
"""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from organizations.authorization import remember_security_official
from organizations.models import Role
from qpp_registration.core.exceptions import RegistrationRefused
from registrations import selectors
from registrations.cahps import pages
from registrations.cahps.autosave import (
    add_errors,
    errors_of,
    form_errors,
    placed_messages,
    saved,
    wants_json,
    writable_page,
)
from registrations.cahps.forms import CahpsContactForm, CahpsSizeForm, DrawnContactForm, DrawnSizeField
from registrations.models import Program, Size
from registrations.official_contacts import official_contact_of_key, official_contacts
from registrations.reminders import page_reminders, receives_reminders
from registrations.services import (
    registration_change_size,
    registration_submit,
)
from registrations.view_helpers import (
    cahps_list_url,
    cahps_so_organization,
    cahps_year,
    connected_url,
    organization_urls,
    prefilled_contact,
)

# --- Helpers ----------------------------------------------------------------------------------------


NEW_CONTACT = "new"


def not_saved(request, page, key, form, errors=None):
    """Bad input: the errors next to the fields, what was typed kept, nothing saved.

    ``form`` is the size form (``key`` "size") or a contact's; ``errors`` a service's refusal
    (``{field: [messages]}``), added to the form, or None for the form's own errors.
    """
    if errors is None:
        errors = form_errors(form)
    else:
        add_errors(form, errors)
    if wants_json(request):
        first = next(iter(errors.values()))[0] if errors else "The change was not saved."
        return JsonResponse({"saved": False, "message": first, "errors": errors}, status=400)
    return _render_page(request, page, bound={key: form}, status=400)


def _receives_reminders(user, organization):
    """``receives_reminders``, answered by the organization's ``reminders_off`` when it was read
    with it (``pages.cahps_page_read``)."""
    reminders_off = getattr(organization, "reminders_off", None)
    if reminders_off is None:
        return receives_reminders(user=user, organization=organization)
    return not reminders_off


def _sampling_notices(registration):
    """``selectors.sampling_notices``, no query when the registration was read saying it has
    none (``pages.cahps_page_read``)."""
    if not getattr(registration, "has_sampling_notices", True):  # 0 or False, as the database says
        return []
    return selectors.sampling_notices(registration)


# --- Register for CAHPS (the registration page) -----------------------------------------------------


@require_GET
def cahps_registration(request, year, organization_id):
    """*Register for CAHPS* [2023 §III.8, §IV, §V]: the header with the registration ID and
    the number of contacts receiving updates, *Delete Registration*, *Organization Size*,
    the contacts and *+ Add another contact*. Read-only outside the window, and for a user with
    another role than Security Official (a Staff User), who sees it without any action, each of
    which stays the Security Official's [2023 §III.7; issue 27 item 6]."""
    year = cahps_year(year)
    found = pages.cahps_page_read(request.user, organization_id, year)
    if found is None:
        raise Http404("No organization found.")  # no role for it
    organization, read = found
    read_only = organization.role_kind != Role.Kind.SECURITY_OFFICIAL
    if not read_only:
        remember_security_official(request.user, organization)
    page = pages.cahps_page(
        organization=organization, year=year, now=timezone.now(), read=read, read_only=read_only
    )
    if page.registration is None and read_only:
        messages.info(request, f"{organization.name} has no CAHPS registration for {year.year}.")
        return redirect(connected_url(year))
    if page.registration is None:
        if page.window.allowed and page.decision:
            messages.info(request, f"Select Register Group for CAHPS next to {organization.name} to start.")
        else:
            messages.info(request, f"{organization.name} has no CAHPS registration for {year.year}.")
        return redirect(cahps_list_url(year, organization))
    return _render_page(request, page)


# The URLs of the year and organization the page links to or posts to.
_PAGE_URLS = (
    "cahps_delete",
    "cahps_summary",
    "cahps_confirmation",
    "cahps_register",
    "cahps_size",
    "cahps_contact_add",
    "cahps_registration",
)


def _render_page(request, page, *, bound=None, status=200):
    """``bound`` = ``{"size": form}`` or ``{contact_key: form}``: a form re-shown with its errors
    and what was typed."""
    bound = bound or {}
    user = request.user
    size_form = bound.get("size") or DrawnSizeField(page.registration.size, auto_id="size-%s")
    contact_forms = []
    for row in page.contacts:
        key = str(row.contact.pk)
        form = bound.get(key) or DrawnContactForm(
            initial=CahpsContactForm.initial_for(row.contact), auto_id=f"contact-{key}-%s"
        )
        contact_forms.append({"row": row, "form": form, "key": key, "anchor": f"contact-{key}"})
    placed, top_messages = placed_messages(
        request, ["organization-size", "contacts", *(item["anchor"] for item in contact_forms)]
    )
    for item in contact_forms:
        item["messages"] = placed[item["anchor"]]
    new_form = bound.get(NEW_CONTACT)
    # *Use an existing contact* [issue 27 #3]: ``?from_contact=<key>`` draws the new contact filled
    # in with that person, saved only by Save contact; a key of no one of the user's is ignored.
    people = official_contacts(user) if page.editable else []
    chosen = official_contact_of_key(people, request.GET.get("from_contact"))
    adding = new_form is not None or request.GET.get("add") == "1" or not page.contacts or chosen is not None
    if new_form is None and adding:
        # The first contact starts with the signed-in user's name [SPEC §6; 2020 §IV.6].
        initial = prefilled_contact(user) if not page.contacts else None
        new_form = DrawnContactForm(initial=chosen.values() if chosen else initial, auto_id="contact-new-%s")
    read_only = page.read_only
    context = {
        "year": page.year,
        "organization": page.organization,
        "page": page,
        "registration": page.registration,
        "size_form": size_form,
        "contact_forms": contact_forms,
        "new_form": new_form if adding else None,
        "template_form": DrawnContactForm(auto_id="contact-new-__n__-%s"),
        "people": people,
        "chosen_key": request.GET.get("from_contact", "") if chosen else "",
        "list_url": connected_url(page.year) if read_only else cahps_list_url(page.year, page.organization),
        "urls": {name: organization_urls(name, page.year)(page.organization.pk) for name in _PAGE_URLS},
        "error_form": next(iter(bound.values()), None),
        # Deadline reminders go to Security Officials (registrations.reminders): none to turn off here.
        "reminders": None
        if read_only
        else page_reminders(
            organization=page.organization, year=page.year, registration=page.registration, now=timezone.now()
        ),
        "role_label": Role.Kind(page.organization.role_kind).label if read_only else "",
        "reminders_on": _receives_reminders(user, page.organization),
        "sampling_notices": _sampling_notices(page.registration),
        "messages": top_messages,
        "size_messages": placed["organization-size"],
        "contacts_messages": placed["contacts"],
        # The token drawn once for the page's forms (one a contact): each use of the lazy one the
        # Jinja2 backend gives masks the token anew.
    }
    if read_only:
        context["nav_current"] = "connected_organizations"
    return render(request, "registrations/cahps/register.html", context, status=status)


@require_POST
def cahps_size(request, year, organization_id):
    """*Organization Size*, saved when chosen [2023 §IV.1, §V Update Organization Size].

    Choosing the size starts the registration (Incomplete, or Complete when a complete
    contact exists already) [2023 §IV.3]."""
    year = cahps_year(year)
    organization = cahps_so_organization(request, organization_id)
    page, refusal = writable_page(request, year, organization)
    if refusal is not None:
        return refusal
    form = CahpsSizeForm(request.POST, auto_id="size-%s")
    if not form.is_valid():
        return not_saved(request, page, "size", form)
    size = form.cleaned_data["size"]
    try:
        if page.state == pages.CAHPS_NEW:
            registration_submit(
                organization=organization, year=year, program=Program.CAHPS, size=size, by=request.user
            )
        else:
            registration_change_size(registration=page.registration, size=size, by=request.user)
    except RegistrationRefused as error:
        return not_saved(request, page, "size", form, errors_of(error))
    return saved(
        request,
        year=year,
        organization=organization,
        message=f"Organization Size saved: {Size(size).label} clinicians.",
        anchor="organization-size",
    )
