"""The rows of the CAHPS list, *Register and Edit CAHPS Registration* [2023 §III.7, §VI]: one
page of a tab's organizations, each with its registration for the year, read in one query
(``lists.read_rows``), and what each row shows (``cahps_rows``)."""

from dataclasses import dataclass
from functools import partial

from organizations.models import Organization
from registrations.cahps.pages import cahps_decision, cahps_row
from registrations.lists import cahps_organizations, list_search, read_rows, row_extras
from registrations.selectors import year_registration

# What a row shows of its organization and its parent (a subgroup's practice), then of its
# registration for the year (None without one), then whether it was registered in the year
# before (with ``previous``) and the length of the whole list (``counted``).
# The organization's and the parent's columns in their fields' order (``Model.from_db``).
_ROW_COLUMNS = (
    "pk",
    "kind",
    "identifier",
    "apm_identifier",
    "aco_type",
    "parent_id",
    "name",
    "parent__kind",
    "parent__identifier",
    "parent__name",
    "this_year__registration_id",
    "this_year__cahps_status",
    "this_year__size",
)
_ORGANIZATION_FIELDS = ("id", "kind", "identifier", "apm_identifier", "aco_type", "parent_id", "name")
_PARENT_FIELDS = ("id", "kind", "identifier", "name")


def _list_rows(user, year, previous=None, *, tab, status="", search=None, counted=False):
    """The tab's organizations (``selectors.cahps_organizations``) as ``_ROW_COLUMNS`` tuples."""
    organizations = cahps_organizations(user, year=year, tab=tab, status=status, search=search).annotate(
        this_year=year_registration(year)
    )
    extra = row_extras(previous, counted=counted)
    return organizations.annotate(**extra).values_list(*_ROW_COLUMNS, *extra)


# The first page's statements, one per shape of the list (``lists.read_rows``).
_PREPARED_ROWS = {}


@dataclass(frozen=True)
class RowRegistration:
    """What a list row shows of its organization's registration for the year."""

    registration_id: str
    cahps_status: str
    size: str


@dataclass(frozen=True)
class ListRow:
    organization: Organization
    registration: RowRegistration | None
    registered_before: bool  # registered in the year before (only read with ``previous``)
    list_total: int | None  # the length of the whole list (only read when ``counted``)


def _list_row(values, *, with_previous, counted):
    organization = Organization.from_db("default", _ORGANIZATION_FIELDS, values[:7])
    if values[5] is not None:
        parent = Organization.from_db("default", _PARENT_FIELDS, (values[5], *values[7:10]))
        Organization.parent.field.set_cached_value(organization, parent)
    registration = RowRegistration(*values[10:13]) if values[10] is not None else None
    rest = values[13:]
    return ListRow(
        organization=organization,
        registration=registration,
        registered_before=bool(rest[0]) if with_previous else False,
        list_total=rest[-1] if counted else None,
    )


def cahps_list_rows(user, *, year, previous=None, tab, status="", query="", counted=False, start=0, stop):
    """Rows ``start``–``stop`` of the CAHPS list (``ListRow``), in one query: the tab's
    organizations narrowed by ``status`` and ``query`` (``selectors.cahps_organizations``), each
    with its registration for ``year``, whether it was registered in ``previous`` (the year
    before, while the window is open: the row's *Register as last year*) and, ``counted``, the
    length of the whole list."""
    search = list_search(query) if query.strip() else None
    build = partial(_list_rows, tab=tab, status=status, counted=counted)
    # A search looks through every tab: its statement is the same whichever tab is selected.
    shape = (None if search is not None else tab, status, counted)
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
    return [_list_row(row, with_previous=previous is not None, counted=counted) for row in values]


def cahps_rows(list_rows, *, year, window_open):
    """The ``CahpsRow`` of each row of one page of the CAHPS list (``cahps_list_rows``)."""
    # The rules look at an organization's kind and ACO participation only: a page of practices
    # is decided once, not once a row.
    decisions = {}
    rows = []
    for list_row in list_rows:
        organization = list_row.organization
        key = (organization.kind, organization.aco_type)
        if key not in decisions:
            decisions[key] = cahps_decision(organization=organization, year=year)
        rows.append(
            cahps_row(
                organization=organization,
                year=year,
                registration=list_row.registration,
                window_open=window_open,
                decision=decisions[key],
            )
        )
    return rows
