"""Helpers the registration views share: the organization behind a URL (only for its
Security Official), the performance year of a flow, where a page returns to, and how a
service's refusal is shown next to its field.

The 2020/2021 screens (``registrations.web_interface``) and the CAHPS-only screens
(``registrations.cahps``) take them from here.
"""

from dataclasses import dataclass
from functools import wraps
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from organizations.selectors import get_organization_for_security_official
from qpp_registration.core.eastern import format_eastern
from qpp_registration.core.exceptions import ConfirmationRequired, EditConflict, RegistrationRefused
from qpp_registration.core.url_patterns import url_of_each
from registrations import rules, selectors
from registrations.lists import CAHPS_TAB_SPECS
from registrations.models import Source
from registrations.web_interface import pages

# --- Both flows and the 2020/2021 screens --------------------------------------------------------


KEEP_TYPED_AFTER_CONFLICT = (
    "The form still shows what you typed: save again to replace their change with yours, "
    "or select Cancel to keep theirs."
)
GET_POST = require_http_methods(["GET", "POST"])


def organization_urls(name, year, **kwargs):
    """A function giving the URL ``name`` of ``year`` for each organization (by id): reversed once
    per process (``core.url_patterns``), not once per row."""
    return url_of_each(name, "organization_id", year=year.year, **kwargs)


def so_organization(request, organization_id):
    """The organization, only if the signed-in user is its Security Official [2020 §III.6]."""
    return selectors.official_organization(request.user, organization_id, changes="cancelling")


def program_of_slug(slug):
    """The program of a URL slug (``web-interface`` or ``cahps``); 404 for anything else."""
    for program, program_slug in pages.PROGRAM_SLUGS.items():
        if slug == program_slug:
            return program
    raise Http404("No such program.")


def web_interface_year(year):
    """The performance year of these screens; a CAHPS-only year has its own (404 here)."""
    performance_year = selectors.get_year(year)
    if not performance_year.offers_web_interface:
        raise Http404("This performance year uses the CAHPS registration pages.")
    return performance_year


def list_url(year, organization=None):
    url = reverse("registration_list", kwargs={"year": year.year})
    return f"{url}#org-{organization.pk}" if organization is not None else url


def connected_url(year):
    """Connected Organizations for ``year``: where the read-only pages of a user with another
    role than Security Official (a Staff User) lead back to [2020 §III.4–5]."""
    return f"{reverse('connected_organizations')}?{urlencode({'year': year.year})}"


def without_fragment(url):
    """Where to go after an action that leaves a message: the page's top, where the message is
    (portal.js moves focus to it). Jumping to the organization's card would leave the outcome
    of the action above the screen."""
    return url.split("#", 1)[0]


def fragment_cleared(url):
    """``url`` with an explicit empty fragment (``…/#``), for a redirect answering a form whose
    action carries a fragment: a ``Location`` without one keeps the fragment of the URL the form
    was sent to (RFC 9110 §10.2.2). The main page's Register form is sent to
    ``…/register/#register-errors`` so that a refusal scrolls to its error summary even without
    JavaScript; that fragment must not follow a success (``…/congratulations/#register-errors``)."""
    return f"{url.split('#', 1)[0]}#"


_HOW_REGISTERED = {
    Source.AUTOMATIC: " automatically",
    Source.SERVICE_CENTER: " by the QPP Service Center",
    Source.SECURITY_OFFICIAL: " by a Security Official",
}


def already_registered(registration, program, *, user):
    """What a Register that came second says (a double submit, or two Security Officials at once):
    who registered ``registration`` for ``program`` and when, as far as it is known."""
    organization = registration.organization
    year = registration.performance_year
    at = getattr(registration, f"{program.value}_registered_at")
    by = getattr(registration, f"{program.value}_registered_by")
    when = f" on {format_eastern(at)}" if at else ""
    if by is not None and by.pk == user.pk:
        who = f"You registered it{when}"
    elif by is not None:
        name = by.get_full_name()
        person = f"{name} (User ID {by.username})" if name else f"User ID {by.username}"
        who = f"{person} registered it{when}"
    else:
        how = _HOW_REGISTERED.get(registration.source_for(program), "")
        who = f"It was registered{how}{when}"
    return (
        f"{organization.name} is already registered for the {program.label} for performance year "
        f"{year.year}. {who}; its registration ID is {registration.registration_id}."
    )


def organization_url(name, year, organization, **kwargs):
    return reverse(name, kwargs={"year": year.year, "organization_id": organization.pk, **kwargs})


# Where an edit page returns to: the page it was opened from.
RETURN_TARGETS = ("list", "details", "submit-web-interface", "submit-cahps")


@dataclass(frozen=True)
class ReturnTo:
    key: str
    url: str
    label: str


def return_to(request, year, organization, default="details"):
    key = request.POST.get("return_to") or request.GET.get("return_to") or default
    if key not in RETURN_TARGETS:
        key = default
    if key == "list":
        return ReturnTo(key, list_url(year, organization), "Back to List")
    if key.startswith("submit-"):
        program = key.removeprefix("submit-")
        target = organization_url("registration_submit", year, organization, program=program)
        return ReturnTo(key, target, "Back to Submit Registration")
    return ReturnTo(
        key, organization_url("registration_detail", year, organization), "Back to Registration Details"
    )


def window_closed(request, *, year, organization, window, title, back):
    """The read-only answer of an edit page outside the window; a POST is refused (403)."""
    status = 403 if request.method == "POST" else 200
    context = {"year": year, "organization": organization, "window": window, "title": title, "back": back}
    return render(request, "registrations/window_closed.html", context, status=status)


def unless_window_open(request, *, year, organization, title, back):
    """``window_closed``'s answer when ``year``'s window is not open now, else None."""
    window = rules.window_decision(year, timezone.now())
    if window:
        return None
    return window_closed(request, year=year, organization=organization, window=window, title=title, back=back)


@dataclass(frozen=True)
class EditPage:
    """What every page that changes a registration starts from."""

    year: object  # PerformanceYear
    organization: object  # Organization
    back: ReturnTo


def edit_page(title, *, back="details", organization_facts=None):
    """For a page that changes a registration: resolve the year (404 for a CAHPS-only year),
    the organization (404 unless the user is its Security Official) and the way back, and
    outside the window answer read-only instead, refusing a POST [2020 §III.6]. The view is
    called as ``view(request, page, **other_url_arguments)``. ``organization_facts``: what the
    organization's query reads besides about the year (``selectors.official_organization``)."""

    def decorator(view):
        @GET_POST
        @wraps(view)
        def wrapper(request, year, organization_id, **kwargs):
            year = web_interface_year(year)
            organization = selectors.official_organization(
                request.user, organization_id, changes="cancelling", facts=organization_facts, year=year
            )
            way_back = return_to(request, year, organization, default=back)
            closed = unless_window_open(
                request, year=year, organization=organization, title=title, back=way_back.url
            )
            if closed is not None:
                return closed
            return view(request, EditPage(year, organization, way_back), **kwargs)

        return wrapper

    return decorator


def apply_error(form, error):
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


class Written(NamedTuple):
    """What ``form_write``'s service returned (a tuple, so true even when that is None)."""

    result: object


def form_write(form, write):
    """The POST half of a page that changes something: the form checks what was typed, then
    ``write(form)`` (one service or workflow) writes it, and a refusal is shown next to its field
    (``apply_error``), keeping what was typed. ``Written(result)``, or None when the page is drawn
    again with the errors. A question (``ConfirmationRequired``) goes up to the view."""
    if not form.is_valid():
        return None
    try:
        return Written(write(form))
    except ConfirmationRequired:
        raise
    except (RegistrationRefused, ValidationError) as error:
        apply_error(form, error)
        return None


def year_switcher(now, year, years=None):
    return {"year_options": selectors.year_options(now, year, years)}


def no_security_official(request, year=None):
    """403 with the guide's explanation for a user without the Security Official role
    [2020 §III.6; 2023 §III.7 for a CAHPS-only year: "submit, modify, or delete"]."""
    return render(request, "registrations/no_security_official.html", {"year": year}, status=403)


def prefilled_contact(user):
    """The first contact starts with the signed-in user's first and last name [2020 §IV.6]."""
    return {"first_name": user.first_name, "last_name": user.last_name}


def registration_or_404(organization, year):
    registration = selectors.find_registration(organization=organization, year=year)
    if registration is None:
        raise Http404("No registration yet.")
    return registration


# --- The CAHPS-only screens ------------------------------------------------------------------------


def cahps_year(year):
    """The performance year of these screens; a year with the Web Interface has its own (404)."""
    performance_year = selectors.get_year(year)
    if not performance_year.is_cahps_only:
        raise Http404("This performance year uses the CMS Web Interface and CAHPS registration pages.")
    return performance_year


def cahps_so_organization(request, organization_id):
    """The organization, only if the signed-in user is its Security Official [2023 §III.7]."""
    return get_organization_for_security_official(request.user, organization_id, changes="deleting")


def cahps_list_url(year, organization=None):
    url = reverse("cahps_registration_list", kwargs={"year": year.year})
    if organization is None:
        return url
    tab = next(spec.slug for spec in CAHPS_TAB_SPECS if organization.kind in spec.kinds)
    return f"{url}?{urlencode({'tab': tab})}#org-{organization.pk}"


def cahps_page_url(year, organization, anchor=""):
    url = reverse("cahps_registration", kwargs={"year": year.year, "organization_id": organization.pk})
    return f"{url}#{anchor}" if anchor else url
