"""The lists of organizations both screen families show, the Registration Overview
(``web_interface.overview``) and the CAHPS list (``cahps.list_views``): the CAHPS list's tabs
and status filter, what a search looks for, the user's organizations counted by kind, and the
one way a list's page of rows is read (``read_rows``)."""

import re
from dataclasses import astuple, dataclass

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, Window
from django.db.models.functions import Right

from organizations.models import Organization
from qpp_registration.core.prepared import PreparedQuery
from registrations.models import REGISTRATION_ID_ALPHABET, ProgramStatus, Registration
from registrations.register_again import registered_last_year
from registrations.selectors import security_official_organizations

# --- CAHPS-only years: the 2023 screens ---------------------------------------------------------------
#
# [2023 §III.7]: one tab per organization type the user has (APM Entities, Virtual Groups,
# Practices), each organization with its CAHPS status and *Register Group for CAHPS*;
# [2023 §VI]: the list can be filtered and searched by status. A page runs the same handful
# of queries whether the Security Official has three organizations or three hundred.


@dataclass(frozen=True)
class CahpsTabSpec:
    slug: str
    label: str
    kinds: tuple


# In the guide's order [2023 §III.7]. Subgroups belong to a practice's TIN, so they are
# listed under Practices, where the page explains the Service Center completes them [2023 §I].
CAHPS_TAB_SPECS = (
    CahpsTabSpec("apm-entities", "APM Entities", (Organization.Kind.APM_ENTITY,)),
    CahpsTabSpec("virtual-groups", "Virtual Groups", (Organization.Kind.VIRTUAL_GROUP,)),
    CahpsTabSpec("practices", "Practices", (Organization.Kind.PRACTICE, Organization.Kind.SUBGROUP)),
)

# ?status= values of the filter [2023 §VI]: green check, red x, no status information.
CAHPS_STATUS_FILTERS = {
    "complete": ("Complete", ProgramStatus.REGISTERED),
    "incomplete": ("Incomplete", ProgramStatus.INCOMPLETE),
    "not-started": ("Not started", ProgramStatus.NOT_REGISTERED),
}


@dataclass(frozen=True)
class CahpsTab:
    slug: str
    label: str
    count: int
    selected: bool


def cahps_tabs(counts, selected=""):
    """The tabs of the organization types a user is a Security Official of, from ``counts``
    (``kind_counts``).

    Only the types the user has get a tab [2023 §III.7]; the first one is
    selected unless ``selected`` names another.
    """
    present = [
        (spec, sum(counts.get(kind, 0) for kind in spec.kinds))
        for spec in CAHPS_TAB_SPECS
        if any(counts.get(kind) for kind in spec.kinds)
    ]
    slugs = [spec.slug for spec, _ in present]
    chosen = selected if selected in slugs else (slugs[0] if slugs else "")
    return [
        CahpsTab(slug=spec.slug, label=spec.label, count=count, selected=spec.slug == chosen)
        for spec, count in present
    ]


def tab_of(organization):
    """The label of the CAHPS tab ``organization`` is listed under [2023 §III.7]."""
    return next(spec.label for spec in CAHPS_TAB_SPECS if organization.kind in spec.kinds)


# "QPP-ABCD-EFGH", "qpp abcd efgh", "ABCDEFGH": whatever way the caller reads it.
_REGISTRATION_ID = re.compile(
    rf"^(?:QPP)?[-\s]?([{REGISTRATION_ID_ALPHABET}]{{4}})[-\s]?([{REGISTRATION_ID_ALPHABET}]{{4}})$"
)


def canonical_registration_id(term):
    """``QPP-XXXX-XXXX`` when ``term`` reads as a registration ID, else ``None``."""
    match = _REGISTRATION_ID.match(term.strip().upper())
    if match is None:
        return None
    return f"QPP-{match.group(1)}-{match.group(2)}"


@dataclass(frozen=True)
class ListSearch:
    """What a search of the CAHPS list looks for: ``text`` in the name or a virtual group or APM
    Entity ID; a TIN typed whole (``tin``) or the last digits its mask shows (``tin_end``); a
    registration ID (``registration_id``); "" for what it does not look for."""

    text: str
    tin: str = ""
    tin_end: str = ""
    registration_id: str = ""


def list_search(query):
    """The ``ListSearch`` of what was typed."""
    query = query.strip()
    tin = tin_end = ""
    digits = "".join(character for character in query if character.isdigit())
    if digits and all(c.isdigit() or c in "-. *" for c in query):
        if len(digits) == 9:
            tin = digits
        elif len(digits) <= 4:
            tin_end = digits
    return ListSearch(query, tin, tin_end, canonical_registration_id(query) or "")


def organization_search_filter(search, year):
    """What the list shows: the name, a virtual group or APM Entity ID, a TIN by the digits
    its mask shows (the last four; all nine when typed whole), or the registration ID. The
    condition on an organization of a queryset with ``visible_tin`` (the identifier's last four
    characters): the CAHPS list's search and the Registration Overview's (``web_interface.overview``)."""
    practice = Q(kind__in=(Organization.Kind.PRACTICE,))
    condition = Q(name__icontains=search.text) | (~practice & Q(identifier__icontains=search.text))
    if search.tin:
        condition |= practice & Q(identifier=search.tin)
    elif search.tin_end:
        condition |= practice & Q(visible_tin__contains=search.tin_end)
    if search.registration_id:
        condition |= Q(
            Exists(
                Registration.objects.filter(
                    organization=OuterRef("pk"), performance_year=year, registration_id=search.registration_id
                )
            )
        )
    return condition


def cahps_organizations(user, *, year, tab, status="", query="", search=None):
    """The Security Official's organizations of ``tab`` (a slug of ``CAHPS_TAB_SPECS``),
    narrowed by CAHPS ``status`` (a key of ``CAHPS_STATUS_FILTERS``); a search (name,
    identifier as shown, registration ID: ``query``, or its ``ListSearch``) looks through
    every tab. A lazy queryset for the paginator."""
    if search is None and query.strip():
        search = list_search(query)
    spec = next((spec for spec in CAHPS_TAB_SPECS if spec.slug == tab), None)
    organizations = security_official_organizations(user).select_related("parent")
    if search is None:
        organizations = organizations.filter(kind__in=spec.kinds if spec else ())
    # else: a search looks through every tab; each row says which tab it belongs to.
    if status in CAHPS_STATUS_FILTERS:
        wanted = CAHPS_STATUS_FILTERS[status][1]
        started = Registration.objects.filter(organization=OuterRef("pk"), performance_year=year)
        if wanted == ProgramStatus.NOT_REGISTERED:
            organizations = organizations.exclude(
                Exists(started.exclude(cahps_status=ProgramStatus.NOT_REGISTERED))
            )
        else:
            organizations = organizations.filter(Exists(started.filter(cahps_status=wanted)))
    if search is not None:
        # alias(), not annotate(): nothing shows it, and the page links' COUNT(*) stays a plain one.
        organizations = organizations.alias(visible_tin=Right("identifier", 4)).filter(
            organization_search_filter(search, year)
        )
    # One Security Official role per user and organization, so the join repeats no row.
    return organizations.order_by("name", "identifier", "pk")


class SearchablePreparedQuery(PreparedQuery):
    """A prepared query (``qpp_registration.core.prepared``) that may also look for the words of
    a search. With ``search`` (the shape of a ``ListSearch``), ``build`` is also given
    ``search=`` with a marker string for each word searched: the ORM puts it in the parameters
    as it is (an exact match) or inside a LIKE pattern (``icontains``, ``contains``), and each
    request's words (``rows(search=...)``) replace it, escaped for LIKE as the ORM escapes them."""

    # Letters and digits only (nothing LIKE escapes), none a part of another.
    _MARKERS = {
        name: f"qppmarker{n}q" for n, name in enumerate(("text", "tin", "tin_end", "registration_id"))
    }

    def __init__(self, build, *names, search=None):
        super().__init__(build, *names)
        self._search = search

    def _arguments(self, stand_ins):
        if self._search is None:
            return stand_ins
        markers = {
            name: marker if getattr(self._search, name) else "" for name, marker in self._MARKERS.items()
        }
        return {**stand_ins, "search": ListSearch(**markers)}

    def _compile(self):
        compiled = super()._compile()
        if self._search is not None:
            params = compiled[3]
            words = [marker for name, marker in self._MARKERS.items() if getattr(self._search, name)]
            if not all(any(type(param) is str and word in param for param in params) for word in words):
                raise ValueError("every word searched must be a parameter of the query")
        return compiled

    def _bind(self, param, values):
        if type(param) is str and "qppmarker" in param:
            search = values["search"]
            for name, marker in self._MARKERS.items():
                if param == marker:
                    return getattr(search, name)
                if marker in param:
                    return param.replace(marker, connection.ops.prep_for_like_query(getattr(search, name)))
        return param


def _kind_counts(user):
    # One role per user and organization: each organization is counted once.
    return security_official_organizations(user).order_by().values_list("kind").annotate(total=Count("pk"))


_KIND_COUNTS = PreparedQuery(_kind_counts, "user")


def kind_counts(user):
    """``{kind: how many organizations of it the user is a Security Official of}``, the CAHPS
    tabs' counts, in one query. While a year's window is open a list counts these with its offers
    and deadline box instead (``deadlines.list_counts``)."""
    return dict(_KIND_COUNTS.rows(user=user.pk))


# --- A page of a list ----------------------------------------------------------------------------------


def row_extras(previous, *, counted):
    """What a list's rows carry besides their columns, as annotations: whether the organization
    was registered in ``previous`` (the row's *Register as last year*; not read without it) and,
    ``counted``, the length of the whole list, in the same query."""
    extra = {}
    if previous is not None:
        extra["registered_before"] = Exists(
            Registration.objects.filter(registered_last_year(previous), organization=OuterRef("pk"))
        )
    if counted:
        extra["list_total"] = Window(Count("*"))
    return extra


def read_rows(build, shape, prepared, *, user, year, previous, search, start, stop):
    """Rows ``start``–``stop`` of a list of organizations, as tuples, in one query.

    ``build(user, year, previous, search=)`` is the list's ``values_list()`` queryset for the ids
    of the user and the years (``previous``: the year before, or None) and a ``ListSearch`` or
    None. The first page runs a statement prepared once per ``shape`` of the list (its filters
    and sort; the words searched are parameters), kept in ``prepared``; later pages, rarely
    asked for, are a slice of the queryset."""
    with_previous = previous is not None
    if start:
        return build(user.pk, year.pk, previous.pk if with_previous else None, search=search)[start:stop]
    words = None if search is None else tuple(bool(word) for word in astuple(search))
    key = (*shape, words, with_previous, stop)
    if key not in prepared:
        names = ("user", "year", "previous") if with_previous else ("user", "year")

        def first_page(user, year, previous=None, search=None):
            return build(user, year, previous, search=search)[:stop]

        prepared[key] = SearchablePreparedQuery(first_page, *names, search=search)
    params = {"user": user.pk, "year": year.pk}
    if with_previous:
        params["previous"] = previous.pk
    return prepared[key].rows(search=search, **params)
