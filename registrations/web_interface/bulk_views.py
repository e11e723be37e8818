"""*Register many at once* (issue 27 item 2): choose organizations from the Overview's narrowed
list (or all of it), their sizes, the programs and the contacts; review what this year's rules
say for each; *Register*; follow the progress, with or without JavaScript, and come back to the
result later (``registrations.bulk_registration``).

The same pages, at the same URLs, serve a CAHPS-only year [2023]: its organizations come from the
CAHPS list's narrowing (its tab, status and search: ``registrations.lists.cahps_organizations``),
the program is the CAHPS for MIPS Survey, and the pages lead back to that list."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from organizations.models import Organization
from qpp_registration.core.exceptions import RegistrationRefused
from registrations import bulk_registration, bulk_review, rules, selectors
from registrations.cahps.forms import CahpsFilterForm
from registrations.lists import (
    CAHPS_STATUS_FILTERS,
    cahps_organizations,
    cahps_tabs,
    kind_counts,
    list_search,
)
from registrations.models import BulkRegistration, ProgramStatus
from registrations.official_contacts import official_contacts
from registrations.view_helpers import GET_POST, no_security_official
from registrations.web_interface.bulk_forms import (
    ALL_MATCHING,
    BulkSelectForm,
    size_field_name,
    size_for_each_choices,
)
from registrations.web_interface.forms import OverviewFindForm
from registrations.web_interface.overview import (
    SORTS,
    STATUS_FILTERS,
    automatic_kinds,
    overview_organizations,
)

# The selection page lists this many of the narrowed organizations one by one; beyond them,
# "all matching this filter" registers every one (narrow the list to pick one by one).
LISTED = 200


def bulk_year(year):
    """The performance year: one with the CMS Web Interface, or a CAHPS-only one (404 for none)."""
    return selectors.get_year(year)


@dataclass(frozen=True)
class Narrowed:
    """The list the selection page starts from, narrowed as the query string says."""

    organizations: object  # the user's organizations it leaves (a queryset)
    params: dict  # the narrowing's query string values, for the links back and forth
    words: str  # the narrowing said in words ("" for none)
    empty: bool = False  # no tab at all: the user is Security Official of no organization


def _narrowed(request, year):
    """The Overview's narrowing from the query string and the user's organizations it leaves."""
    if year.is_cahps_only:
        return _cahps_narrowed(request, year)
    narrowing = OverviewFindForm(request.GET).narrowing()
    search = list_search(narrowing.query) if narrowing.query.strip() else None
    organizations = overview_organizations(
        request.user, year=year, narrowing=narrowing, automatic=automatic_kinds(year), search=search
    )
    return Narrowed(organizations, narrowing.params(), _narrowing_words(narrowing))


def _cahps_narrowed(request, year):
    """The CAHPS list's narrowing [2023 §III.7, §VI]: its tab (the first the user has, as on the
    list), status and search, and the organizations it leaves (``cahps_organizations``)."""
    tabs = cahps_tabs(kind_counts(request.user), request.GET.get("tab", ""))
    tab = next((tab for tab in tabs if tab.selected), None)
    status, query = CahpsFilterForm(request.GET).filters()
    organizations = cahps_organizations(
        request.user, year=year, tab=tab.slug if tab else "", status=status, query=query
    ).select_related(None)  # the list's rows show the parent practice; this page does not
    params = {"tab": tab.slug if tab else "", "status": status, "q": query}
    words = []
    if tab is not None and not query:  # a search looks through every tab
        words.append(f"type {tab.label}")
    if status in CAHPS_STATUS_FILTERS:
        words.append(f"status {CAHPS_STATUS_FILTERS[status][0].lower()}")
    if query:
        words.append(f"search “{query}”")
    return Narrowed(
        organizations, {name: value for name, value in params.items() if value}, ", ".join(words), not tabs
    )


CAHPS_LIST = "Register and Edit CAHPS Registration"


def list_link(year, params=None):
    """The list the pages lead back to: (its URL with ``params``, its name)."""
    if year.is_cahps_only:
        url, label = reverse("cahps_registration_list", kwargs={"year": year.year}), CAHPS_LIST
    else:
        url, label = reverse("registration_list", kwargs={"year": year.year}), "Registration Overview"
    return (f"{url}?{urlencode(params)}" if params else url), label


def _list_context(year, params=None):
    url, label = list_link(year, params)
    return {
        "list_url": url,
        "list_label": label,
        "cahps_only": year.is_cahps_only,
        # What a registered organization's CAHPS status is in a CAHPS-only year: "Complete".
        "registered_word": rules.status_label(year, ProgramStatus.REGISTERED),
    }


def _bulk_of(request, year, bulk_id):
    """The user's own bulk registration of ``year``; 404 for anyone else's."""
    try:
        return BulkRegistration.objects.select_related("performance_year").get(
            pk=bulk_id, user=request.user, performance_year=year
        )
    except BulkRegistration.DoesNotExist:
        raise Http404("No such registration of many organizations.") from None


def bulk_url(bulk):
    return reverse("bulk_registration", kwargs={"year": bulk.performance_year.year, "bulk_id": bulk.pk})


@GET_POST
def bulk_start(request, year):
    """Choose the organizations, sizes, programs and contacts (nothing is registered here)."""
    year = bulk_year(year)
    now = timezone.now()
    window = rules.window_decision(year, now)
    narrowed = _narrowed(request, year)
    if narrowed.empty:
        return no_security_official(request, year)
    organizations = narrowed.organizations
    listed = list(organizations.only("pk", "name", "kind", "identifier", "aco_type")[: LISTED + 1])
    if not listed and not selectors.security_official_organizations(request.user).exists():
        return no_security_official(request, year)
    matching = len(listed) if len(listed) <= LISTED else organizations.count()
    listed = listed[:LISTED]
    people = official_contacts(request.user)
    form = BulkSelectForm(
        request.POST if request.method == "POST" else None,
        year=year,
        listed=listed,
        matching=matching,
        people=people,
    )
    if request.method == "POST" and window.allowed and form.is_valid():
        if form.cleaned_data["scope"] == ALL_MATCHING:
            ids = list(organizations.values_list("pk", flat=True))
        else:
            ids = form.cleaned_data["organizations"]
        try:
            sizes = form.sizes_for(ids)
            bulk = bulk_registration.bulk_registration_create(
                by=request.user,
                year=year,
                organization_ids=ids,
                sizes=sizes,
                programs=form.cleaned_data["programs"],
                contacts=form.chosen_contacts(),
                email_confirmation=form.cleaned_data.get("email_confirmation", False),
            )
        except ValidationError as error:
            form.add_error("size", error)
        except RegistrationRefused as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.reason)
        else:
            return redirect(bulk_url(bulk))
    elif request.method == "POST" and not window.allowed:
        messages.error(request, window.reason)
    query = urlencode(narrowed.params)
    context = {
        "year": year,
        "window": window,
        "form": form,
        "contact_form": form.contact_form,
        "listed": [
            {
                "organization": organization,
                "checked": organization.pk in _selected(form),
                "size_name": size_field_name(organization.pk),
                "size": form.own_size(organization.pk),
            }
            for organization in listed
        ],
        "more_than_listed": matching > LISTED,
        "matching": matching,
        "narrowing_words": narrowed.words,
        "query": query,
        "size_choices": size_for_each_choices(year),
        "kind_labels": dict(Organization.Kind.choices),
        "earlier": bulk_review.bulk_registrations_of(request.user, year),
        **_list_context(year, narrowed.params),
    }
    status = 400 if form.errors else 200
    return render(request, "registrations/bulk_select.html", context, status=status)


def _selected(form):
    if not form.is_bound:
        return set()
    values = set()
    for value in form.data.getlist("organizations"):
        try:
            values.add(int(value))
        except ValueError:
            continue
    return values


def _narrowing_words(narrowing):
    words = []
    if narrowing.status in STATUS_FILTERS:
        words.append(f"status {STATUS_FILTERS[narrowing.status].lower()}")
    if narrowing.kind in dict(Organization.Kind.choices):
        words.append(f"kind {Organization.Kind(narrowing.kind).label.lower()}")
    if narrowing.query:
        words.append(f"search “{narrowing.query}”")
    if narrowing.sort != "name" and narrowing.sort in SORTS:
        words.append(f"sorted by {SORTS[narrowing.sort].lower()}")
    return ", ".join(words)


@require_GET
def bulk_detail(request, year, bulk_id):
    """The review of a draft (what this year's rules say for each organization, and *Register*),
    the progress of a started one (refreshing itself without JavaScript), and the result."""
    year = bulk_year(year)
    bulk = _bulk_of(request, year, bulk_id)
    window = rules.window_decision(year, timezone.now())
    context = {"year": year, "bulk": bulk, "window": window, **_list_context(year)}
    if bulk.state == BulkRegistration.State.DRAFT:
        reviews = bulk_review.review(bulk)
        context |= {"reviews": reviews, "counts": bulk_review.counts_of(reviews)}
        template = "registrations/bulk_review.html"
    else:
        context |= {
            "counts": bulk_review.progress(bulk),
            "items": bulk_review.results(bulk) if bulk.state == BulkRegistration.State.DONE else [],
            "progress_url": reverse(
                "bulk_registration_progress", kwargs={"year": year.year, "bulk_id": bulk.pk}
            ),
        }
        template = "registrations/bulk_result.html"
    return render(request, template, context)


@require_POST
def bulk_register(request, year, bulk_id):
    """*Register* on the review: starts the draft once; a second press changes nothing."""
    year = bulk_year(year)
    bulk = _bulk_of(request, year, bulk_id)
    window = rules.window_decision(year, timezone.now())
    if not window:
        messages.error(request, window.reason)
    elif not bulk_registration.bulk_registration_start(bulk=bulk, by=request.user):
        messages.info(request, "These organizations were already sent to be registered.")
    return redirect(bulk_url(bulk))


@require_GET
def bulk_progress(request, year, bulk_id):
    """The progress bar's numbers, for the page's script."""
    year = bulk_year(year)
    bulk = _bulk_of(request, year, bulk_id)
    counts = bulk_review.progress(bulk)
    return JsonResponse(
        {
            "state": bulk.state,
            "total": counts.total,
            "done": counts.done,
            "registered": counts.registered,
            "automatic": counts.automatic,
            "refused": counts.refused,
            "percent": counts.percent,
        }
    )
