"""Finding organizations on the Registration Overview [2020 §IV.9]: search, a filter by status and
by kind, a sort, and *Go to an organization* [issue 27 item 1].

The guide's Overview shows one card after another. An official of hundreds of organizations in
the last week before the deadline looks for the ones still to register, or for one by its name,
TIN or registration ID. The list, narrowed or not, is read as the CAHPS list's is
(``lists.read_rows``): one page of it in one query, each organization with its registration for
the year, whether it was registered in the year before and the length of the whole list (and,
not narrowed, its status); and the user's organizations counted by kind with the last-year
offers and the deadline box (``deadlines.list_counts``, one query), unless that page is every
organization of the user, whose rows are then counted (``deadlines.whole_list_counts``). The
search is the CAHPS list's (``lists.list_search``, ``lists.organization_search_filter``), so both
lists find the same organizations.
"""

from dataclasses import dataclass
from functools import partial

from django.db import connection
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Value, When, Window
from django.db.models.functions import Right, RowNumber

from organizations.models import Organization
from qpp_registration.core.pagination import ReadPaginator
from registrations import rules
from registrations.lists import list_search, organization_search_filter, read_rows, row_extras
from registrations.models import ProgramStatus, Registration, Source
from registrations.rules.answers import Answers, year_values
from registrations.selectors import security_official_organizations, year_registration

# ?status= values, as the filter offers them. An organization has one of them for the year,
# from the statuses of its programs (both columns of its card):
#   automatic       a program registered automatically: a Shared Savings Program ACO [2021 #5,
#                   #6] (ACOs in 2020 [2020 §I]), or a registration made automatically;
#   registered      otherwise, a program registered (by a Security Official or the Service Center);
#   cancelled       nothing registered now, but a program was registered for the year and then
#                   cancelled [2020 §VII] (the registration keeps its ID and its history);
#   not_registered  nothing registered for the year, ever.
STATUS_FILTERS = {
    "not_registered": rules.STATUS_WORDS["not_registered"],
    "registered": rules.STATUS_WORDS["registered"],
    "automatic": rules.STATUS_WORDS["automatic"],
    "cancelled": "Cancelled",
}
# Sorted by status, what still needs the official comes first.
STATUS_RANKS = {"not_registered": 0, "cancelled": 1, "registered": 2, "automatic": 3}

KIND_FILTERS = dict(Organization.Kind.choices)

# ?sort= values; "name" is the Overview's own order.
SORTS = {
    "name": "Name (A to Z)",
    "status": "Status (to register first)",
    "kind": "Kind",
}
# The kinds' values sort as their labels do (APM Entity, Practice, Subgroup, Virtual Group).
_ORDER = {
    "name": ("name", "identifier", "pk"),
    "status": ("overview_status", "name", "identifier", "pk"),
    "kind": ("kind", "name", "identifier", "pk"),
}


@dataclass(frozen=True)
class Narrowing:
    """What the Overview is narrowed to and sorted by: "" (and "name") for none."""

    status: str = ""
    kind: str = ""
    query: str = ""
    sort: str = "name"

    @property
    def filtered(self):
        return bool(self.status or self.kind or self.query)

    @property
    def plain(self):
        """The whole list in the Overview's own order: the page reads it as it always has."""
        return not self.filtered and self.sort == "name"

    def params(self, **changes):
        """The query string's values for this narrowing (``changes`` replaced), none by default."""
        values = {"status": self.status, "kind": self.kind, "q": self.query, "sort": self.sort, **changes}
        return {name: value for name, value in values.items() if value and (name, value) != ("sort", "name")}


# A pure function of the year's values: worked out once per process rather than on every
# page (0.3 ms).
_AUTOMATIC_KINDS = Answers(limit=64)


def automatic_kinds(year):
    return _AUTOMATIC_KINDS.get(year_values(year), lambda: _automatic_kinds(year))


def _automatic_kinds(year):
    """The ``(kind, ACO type)`` pairs that ``year``'s rules register automatically for a program
    (``rules.program_eligibility(...).automatic``, what a card shows as *Automatically
    registered*). The rules decide it by the kind and the ACO type, before the size, so the status
    filter asks them once for the year rather than once an organization."""
    pairs = []
    for kind in Organization.Kind.values:
        for aco_type in Organization.AcoType.values:
            organization = Organization(kind=kind, aco_type=aco_type)
            if any(
                rules.program_eligibility(program, organization=organization, year=year, size="").automatic
                for program in year.programs
            ):
                pairs.append((kind, aco_type))
    return tuple(pairs)


def status_rank(year, automatic):
    """The organization's status (``STATUS_RANKS``) as a column, from its registration for the
    year (the ``this_year`` join), its kind and ACO type (``automatic``), and, for a registration
    with nothing registered, its history."""
    registered = Q(this_year__web_interface_status=ProgramStatus.REGISTERED) | Q(
        this_year__cahps_status=ProgramStatus.REGISTERED
    )
    made_automatically = Q(this_year__web_interface_source=Source.AUTOMATIC) | Q(
        this_year__cahps_source=Source.AUTOMATIC
    )
    for kind, aco_type in automatic:
        made_automatically |= Q(kind=kind, aco_type=aco_type)
    # Cancelling clears the program's status and source (services.registration_cancel): only the
    # history says it was registered. Read for the organizations with nothing registered only.
    was_registered = Exists(
        Registration.history.model.objects.filter(
            Q(web_interface_status=ProgramStatus.REGISTERED) | Q(cahps_status=ProgramStatus.REGISTERED),
            organization=OuterRef("pk"),
            performance_year=year,
        )
    )
    return Case(
        When(made_automatically, then=Value(STATUS_RANKS["automatic"])),
        When(registered, then=Value(STATUS_RANKS["registered"])),
        When(was_registered, then=Value(STATUS_RANKS["cancelled"])),
        default=Value(STATUS_RANKS["not_registered"]),
    )


def overview_organizations(user, *, year, narrowing, automatic=(), search=None):
    """The Security Official's organizations narrowed by ``narrowing`` (its search as ``search``,
    a ``lists.ListSearch``, when it has one) and in its order, each joined to its
    registration for ``year`` (``this_year``). ``automatic``: ``automatic_kinds(year)``."""
    organizations = security_official_organizations(user).annotate(this_year=year_registration(year))
    if narrowing.kind in KIND_FILTERS:
        organizations = organizations.filter(kind=narrowing.kind)
    if narrowing.status in STATUS_FILTERS or narrowing.sort == "status":
        # alias(), not annotate(): nothing shows it.
        organizations = organizations.alias(overview_status=status_rank(year, automatic))
    if narrowing.status in STATUS_FILTERS:
        organizations = organizations.filter(overview_status=STATUS_RANKS[narrowing.status])
    if search is not None:
        organizations = organizations.alias(visible_tin=Right("identifier", 4)).filter(
            organization_search_filter(search, year)
        )
    # One Security Official role per user and organization, so the join repeats no row.
    return organizations.order_by(*_ORDER.get(narrowing.sort, _ORDER["name"]))


# --- One page of the narrowed list, in one query -----------------------------------------------------

# The organization's columns (``pages.ROW_ORGANIZATION_FIELDS`` and its id), then its registration's
# (``pages.ROW_REGISTRATION_FIELDS``; None without one), then whether it was registered in the year
# before (with ``previous``) and the length of the whole narrowed list.
_ORGANIZATION_FIELDS = ("id", "kind", "identifier", "aco_type", "name")
_REGISTRATION_FIELDS = (
    "id",
    "registration_id",
    "size",
    "web_interface_status",
    "web_interface_source",
    "cahps_status",
    "cahps_source",
)
# ``Model.from_db`` takes the values in the order of the model's fields.
_REGISTRATION_NAMES = [
    field.attname
    for field in Registration._meta.concrete_fields
    if field.attname in {*_REGISTRATION_FIELDS, "organization_id"}
]
_COLUMNS = (
    "pk",
    "kind",
    "identifier",
    "aco_type",
    "name",
    *(f"this_year__{name}" for name in _REGISTRATION_FIELDS),
)


def _extra_names(*, with_previous, with_status):
    """The names of the rows' columns after the organization's and its registration's."""
    return (
        *(("registered_before",) if with_previous else ()),
        "list_total",
        *(("listed_status",) if with_status else ()),
    )


def _list_rows(user, year, previous=None, *, narrowing, automatic, with_status, search=None):
    organizations = overview_organizations(
        user, year=year, narrowing=narrowing, automatic=automatic, search=search
    )
    extra = row_extras(previous, counted=True)
    if with_status:
        extra["listed_status"] = status_rank(year, automatic)
    names = _extra_names(with_previous=previous is not None, with_status=with_status)
    return organizations.annotate(**extra).values_list(*_COLUMNS, *names)


# The first page's statements, one per shape of the list (``lists.read_rows``).
_PREPARED_ROWS = {}


@dataclass(frozen=True)
class ListRow:
    organization: Organization
    registration: Registration | None
    registered_before: bool  # registered in the year before (only read with ``previous``)
    list_total: int  # the length of the whole narrowed list
    status: int | None  # its ``STATUS_RANKS`` value (only read ``with_status``)


def _list_row(values, *, extras):
    organization = Organization.from_db("default", _ORGANIZATION_FIELDS, values[:5])
    registration_values = values[5 : 5 + len(_REGISTRATION_FIELDS)]
    registration = None
    if registration_values[0] is not None:
        given = {
            **dict(zip(_REGISTRATION_FIELDS, registration_values, strict=True)),
            "organization_id": organization.pk,
        }
        registration = Registration.from_db(
            "default", _REGISTRATION_NAMES, [given[name] for name in _REGISTRATION_NAMES]
        )
    rest = dict(zip(extras, values[5 + len(_REGISTRATION_FIELDS) :], strict=True))
    return ListRow(
        organization=organization,
        registration=registration,
        registered_before=bool(rest.get("registered_before")),
        list_total=rest["list_total"],
        status=rest.get("listed_status"),
    )


def overview_list_rows(user, *, year, previous=None, narrowing, with_status=False, start=0, stop):
    """Rows ``start``–``stop`` of the narrowed Overview (``ListRow``), in one query (compiled
    once per process for the first page); ``previous``: the year before, while the window is open
    (the card's *Register as last year*); ``with_status``: each row's status too."""
    search = list_search(narrowing.query) if narrowing.query.strip() else None
    automatic = automatic_kinds(year)
    build = partial(_list_rows, narrowing=narrowing, automatic=automatic, with_status=with_status)
    shape = (narrowing.status, narrowing.kind, narrowing.sort, automatic, with_status)
    extras = _extra_names(with_previous=previous is not None, with_status=with_status)
    values = read_rows(
        build,
        shape,
        _PREPARED_ROWS,
        user=user,
        year=year,
        previous=previous,
        search=search,
        start=start,
        stop=stop,
    )
    return [_list_row(row, extras=extras) for row in values]


# --- Go to an organization ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Jump:
    """Where *Go to an organization* leads: the organization and the narrowing and page whose card
    it is on, or why it leads nowhere (``error``, shown next to the field) with ``matches``, how
    many organizations the words found."""

    organization_id: int | None = None
    narrowing: Narrowing | None = None
    page: int = 1
    error: str = ""
    matches: int = 0


def _matches(user, year, text):
    """The user's organizations that ``text`` finds (the search's rules), an exact name first,
    each with how many there are: two at most."""
    return list(
        security_official_organizations(user)
        .alias(visible_tin=Right("identifier", 4))
        .filter(organization_search_filter(list_search(text), year))
        .annotate(
            exact=Case(When(name__iexact=text, then=Value(0)), default=Value(1)), found=Window(Count("*"))
        )
        .order_by("exact", "name", "identifier", "pk")
        .values_list("pk", "exact", "found")[:2]
    )


def _position(user, year, narrowing, organization_id):
    """The place (from 1) of the organization in the narrowed list, or None when it is not in it."""
    search = list_search(narrowing.query) if narrowing.query.strip() else None
    listed = overview_organizations(
        user, year=year, narrowing=narrowing, automatic=automatic_kinds(year), search=search
    )
    order = listed.query.order_by
    numbered = listed.annotate(listed_id=F("pk"), position=Window(RowNumber(), order_by=order)).values_list(
        "listed_id", "position"
    )
    # Every row of the list is numbered before one is picked: a filter on the id would number
    # the one row alone, so the numbered list is the subquery of the pick.
    sql, params = numbered.query.sql_with_params()
    picked = f"SELECT numbered.position FROM ({sql}) numbered WHERE numbered.listed_id = %s"  # noqa: S608 (the ORM's SQL)
    with connection.cursor() as cursor:
        cursor.execute(picked, [*params, organization_id])
        found = cursor.fetchone()
    return found[0] if found else None


def jump(user, *, year, text, narrowing, per_page):
    """*Go to an organization*: the one organization of the user that ``text`` names (its name, or
    whatever the search finds: a TIN, its last four digits, an ID, a registration ID), on the page
    of the list as narrowed now, or of the whole list when the narrowing leaves it out. A name
    typed exactly wins over the names that contain it."""
    text = text.strip()
    found = _matches(user, year, text)
    if not found:
        return Jump(error=f"None of your organizations matches “{text}”. Check the name, TIN or ID.")
    (pk, exact, matches), *others = found
    if others and not (exact == 0 and others[0][1] != 0):
        return Jump(
            error=f"{matches} of your organizations match “{text}”. Type more of the name, or its TIN or ID.",
            matches=matches,
        )
    for each in (narrowing, Narrowing(sort=narrowing.sort)):
        position = _position(user, year, each, pk)
        if position is not None:
            return Jump(organization_id=pk, narrowing=each, page=(position - 1) // per_page + 1)
    return Jump(error=f"None of your organizations matches “{text}”.")  # not reached: it is the user's


# --- The page -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NarrowedPage:
    page: object  # the paginator's page of ``ListRow``
    organizations: list
    registrations: dict  # {organization id: its registration for the year}
    offered: frozenset  # the ids of the page's organizations offering *Register as last year*
    # The list is not narrowed and the page holds all of it: its rows, each with its status, are
    # every organization of the user (``deadlines.whole_list_counts`` counts them).
    every_organization: bool

    @property
    def rows(self):
        return self.page.object_list


def narrowed_page(user, *, year, previous, narrowing, page_number, per_page):
    """One page of the narrowed Overview, in one query; the plain list's rows carry their status
    (the deadline box's count, when they are every organization of the user)."""
    read = partial(
        overview_list_rows,
        user,
        year=year,
        previous=previous,
        narrowing=narrowing,
        with_status=narrowing.plain,
    )
    page = ReadPaginator(read, per_page).get_page(page_number)
    rows = page.object_list
    return NarrowedPage(
        page=page,
        organizations=[row.organization for row in rows],
        registrations={row.organization.pk: row.registration for row in rows if row.registration},
        offered=frozenset(
            row.organization.pk for row in rows if row.registered_before and row.registration is None
        ),
        every_organization=narrowing.plain and page.paginator.count == len(rows),
    )
