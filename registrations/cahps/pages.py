"""What the CAHPS-only (2023) registration screens show [2023 §III.7–8, §IV–VI], built from
the queries of ``registrations.selectors``.

A CAHPS row or page holds the status, the contacts' missing fields and which buttons show,
decided once here from ``registrations.rules``; the templates and the auto-save answers
only show them.
"""

from dataclasses import astuple, dataclass

from django.db import connection
from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, Window

from contacts.models import Contact
from organizations.models import Organization
from qpp_registration.core.prepared import PreparedQuery
from registrations import rules
from registrations.models import (
    PerformanceYear,
    Program,
    ProgramStatus,
    Registration,
    ReminderOptOut,
    SamplingNotice,
)
from registrations.register_again import OFFERED, registered_last_year, with_offer_joins
from registrations.selectors import (
    CahpsSearch,
    cahps_organizations,
    cahps_search,
    find_registration,
    security_official_organizations,
    tab_of,
)

# --- Register and Edit CAHPS Registration ----------------------------------------------------------


def cahps_decision(*, organization, year):
    """May ``organization`` register itself for the CAHPS for MIPS Survey in ``year``?

    Every size band allows the survey [2023 §I], so the answer does not wait for
    the size: allowed if some band allows it, otherwise the rule's refusal (a
    subgroup, an automatically registered Shared Savings Program ACO, ...).
    """
    decisions = list(rules.eligibility_by_size(Program.CAHPS, organization=organization, year=year).values())
    return next((decision for decision in decisions if decision), decisions[0])


# What a CAHPS registration's page is at: "new" (started, no size yet), "started"
# (Incomplete or Complete), "deleted" (deleted by the Security Official [2023 §VII]).
CAHPS_NEW, CAHPS_STARTED, CAHPS_DELETED = "new", "started", "deleted"


def cahps_state(registration):
    if registration is None:
        return ""
    if registration.cahps_status != ProgramStatus.NOT_REGISTERED:
        return CAHPS_STARTED
    # The registration starts (Incomplete) once the size is chosen, so a size without a
    # status means it was deleted.
    return CAHPS_DELETED if registration.size else CAHPS_NEW


@dataclass(frozen=True)
class CahpsRow:
    """One organization on the CAHPS list: its status and what the Security Official can do."""

    organization: Organization
    registration: Registration | None
    status: str  # key of includes/status.html: complete, incomplete, not_started, automatic
    status_text: str
    can_register: bool  # *Register Group for CAHPS*
    can_open: bool  # the Register for CAHPS page exists (edit in the window, view outside)
    can_download: bool  # *Download Group CAHPS Registration Summary* [2023 §VI]
    reason: str = ""  # why there is no button: a rule's reason
    service_center: bool = False
    automatic: bool = False

    @property
    def registration_id(self):
        return self.registration.registration_id if self.registration else ""

    @property
    def tab_label(self):
        return tab_of(self.organization)


def _cahps_row(*, organization, year, registration, window_open, decision):
    status = registration.cahps_status if registration else ProgramStatus.NOT_REGISTERED
    state = cahps_state(registration)
    started = state == CAHPS_STARTED
    base = {
        "organization": organization,
        "registration": registration,
        "status": rules.status_key(year, status),
        "status_text": rules.status_label(year, status),
        "can_download": status == ProgramStatus.REGISTERED and year.offers_summary_download,
        "service_center": decision.service_center,
    }
    if not decision and not started:
        if decision.automatic:
            return CahpsRow(
                **{**base, "status": "automatic", "status_text": rules.STATUS_WORDS["automatic"]},
                can_register=False,
                can_open=False,
                reason=decision.reason,
                automatic=True,
            )
        return CahpsRow(**base, can_register=False, can_open=False, reason=decision.reason)
    if started:
        # A subgroup registered by the QPP Service Center can be viewed, not edited [2023 §I].
        return CahpsRow(**base, can_register=False, can_open=True, reason="" if decision else decision.reason)
    return CahpsRow(
        **base,
        can_register=window_open,
        can_open=state == CAHPS_NEW,
    )


# --- The list's reads -------------------------------------------------------------------------------
#
# The list reads, besides the years, two rows sets: the user's organizations counted by kind (the
# tabs) with how many of them to offer to register as last year (the banner), and one page of the
# tab's organizations, each with its registration for the year and whether it was registered in
# the year before (the row's *Register as last year*). Their SQL has a fixed shape for each tab
# and status filter (and what a search looks for), so it is compiled once per process
# (``SearchablePreparedQuery``, which the Registration Overview's search uses too: only the SQL
# text is kept, never data).


class SearchablePreparedQuery(PreparedQuery):
    """A prepared query (``qpp_registration.core.prepared``) that may also look for the words of
    a search. With ``search`` (the shape of a ``CahpsSearch``), ``build`` is also given
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
        return {**stand_ins, "search": CahpsSearch(**markers)}

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


def _list_counts(user, year, previous=None):
    # One role per user and organization: each organization is counted once.
    organizations = security_official_organizations(user).order_by()
    counts = {"total": Count("pk")}
    if previous is not None:
        # register_again.offer_count's: registered in ``previous``, nothing yet for ``year``, over
        # joins rather than a subquery for each organization (a third of the time at 1,000).
        organizations = with_offer_joins(organizations, previous=previous, year=year)
        counts["offers"] = Count("pk", filter=OFFERED)
    return organizations.values_list("kind").annotate(**counts)


_COUNTS = SearchablePreparedQuery(lambda user: _list_counts(user, None), "user")
_COUNTS_AND_OFFERS = SearchablePreparedQuery(_list_counts, "user", "year", "previous")


def cahps_list_counts(user, *, year, previous=None):
    """``({kind: how many organizations of it the user is a Security Official of}, offers)``,
    the tabs' counts and, with ``previous`` (the year before, while the window is open),
    ``register_again.offer_count`` over all of them (else 0), in one query."""
    if previous is None:
        return dict(_COUNTS.rows(user=user.pk)), 0
    rows = _COUNTS_AND_OFFERS.rows(user=user.pk, year=year.pk, previous=previous.pk)
    return {kind: total for kind, total, _offers in rows}, sum(offers for _kind, _total, offers in rows)


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
        this_year=FilteredRelation("registrations", condition=Q(registrations__performance_year=year))
    )
    extra = {}
    if previous is not None:
        extra["registered_before"] = Exists(
            Registration.objects.filter(registered_last_year(previous), organization=OuterRef("pk"))
        )
    if counted:
        extra["list_total"] = Window(Count("*"))
    return organizations.annotate(**extra).values_list(*_ROW_COLUMNS, *extra)


_PREPARED_ROWS = {}


def _prepared_rows(*, tab, status, search, with_previous, counted, limit):
    shape = None if search is None else tuple(bool(word) for word in astuple(search))
    key = (None if search is not None else tab, status, shape, with_previous, counted, limit)
    if key not in _PREPARED_ROWS:
        names = ("user", "year", "previous") if with_previous else ("user", "year")

        def build(user, year, previous=None, search=None):
            return _list_rows(user, year, previous, tab=tab, status=status, search=search, counted=counted)[
                :limit
            ]

        _PREPARED_ROWS[key] = SearchablePreparedQuery(build, *names, search=search)
    return _PREPARED_ROWS[key]


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
    with_previous = previous is not None
    search = cahps_search(query) if query.strip() else None
    if start:
        values = _list_rows(
            user.pk,
            year.pk,
            previous.pk if with_previous else None,
            tab=tab,
            status=status,
            search=search,
            counted=counted,
        )[start:stop]
    else:
        prepared = _prepared_rows(
            tab=tab, status=status, search=search, with_previous=with_previous, counted=counted, limit=stop
        )
        params = {"user": user.pk, "year": year.pk}
        if with_previous:
            params["previous"] = previous.pk
        values = prepared.rows(search=search, **params)
    return [_list_row(row, with_previous=with_previous, counted=counted) for row in values]


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
            _cahps_row(
                organization=organization,
                year=year,
                registration=list_row.registration,
                window_open=window_open,
                decision=decisions[key],
            )
        )
    return rows


# --- Register for CAHPS ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CahpsContact:
    contact: Contact
    number: int
    can_delete: bool
    missing: tuple  # labels of the empty required fields


CAHPS_CONTACT_FIELDS = (
    ("first_name", "First Name"),
    ("last_name", "Last Name"),
    ("phone", "Phone Number"),
    ("email", "Email"),
)


@dataclass
class CahpsPage:
    """Everything the Register for CAHPS page shows [2023 §III.8, §IV, §V]."""

    organization: Organization
    year: PerformanceYear
    registration: Registration | None
    window: rules.Decision
    decision: rules.Decision
    contacts: list
    requirement_note: str
    # Shown to a user with another role than Security Official (a Staff User): no action at all,
    # whatever the window [2023 §III.7; issue 27 item 6].
    read_only: bool = False

    @property
    def state(self):
        return cahps_state(self.registration)

    @property
    def status(self):
        status = self.registration.cahps_status if self.registration else ProgramStatus.NOT_REGISTERED
        return rules.status_key(self.year, status)

    @property
    def status_text(self):
        status = self.registration.cahps_status if self.registration else ProgramStatus.NOT_REGISTERED
        return rules.status_label(self.year, status)

    @property
    def is_complete(self):
        return bool(self.registration) and self.registration.cahps_status == ProgramStatus.REGISTERED

    @property
    def contacts_receiving_updates(self):
        """Every contact added, counted as soon as it is saved [2023 §IV.2: "As more contacts
        added, the number of contacts will update in the Registration header"]; the status
        says whether one of them is complete."""
        return len(self.contacts)

    @property
    def editable(self):
        """The Security Official may change it: window open, the organization registers
        itself, and the registration is not deleted."""
        return self._changeable and self.state in (CAHPS_NEW, CAHPS_STARTED)

    @property
    def can_delete_registration(self):
        # As soon as the registration ID exists [2023 §III.8], not only once a size is chosen.
        return self._changeable and self.state in (CAHPS_NEW, CAHPS_STARTED)

    @property
    def can_register_again(self):
        return self._changeable and self.state == CAHPS_DELETED

    @property
    def _changeable(self):
        return self.window.allowed and bool(self.decision) and not self.read_only

    @property
    def can_download(self):
        return self.is_complete and self.year.offers_summary_download


# The page's organization (the user's role checked in the query: any role reads it), whether
# the user turned its reminders off, its registration for the year, whether that has sampling
# notices, the user's role, and the registration's contacts in order: one row per contact (one,
# with no contact's columns, when there is none), in one prepared query.
_ORGANIZATION_COLUMNS = tuple(field.attname for field in Organization._meta.concrete_fields)
_REGISTRATION_COLUMNS = tuple(field.attname for field in Registration._meta.concrete_fields)
_CONTACT_COLUMNS = tuple(field.attname for field in Contact._meta.concrete_fields)


def _page_rows(user, pk, year):
    # One role per user and organization: the join repeats no row.
    return (
        Organization.objects.filter(pk=pk, roles__user=user)
        .annotate(
            this_year=FilteredRelation("registrations", condition=Q(registrations__performance_year=year)),
            reminders_off=Exists(ReminderOptOut.objects.filter(organization=OuterRef("pk"), user=user)),
            has_sampling_notices=Exists(
                SamplingNotice.objects.filter(
                    registration__organization=OuterRef("pk"), registration__performance_year=year
                )
            ),
        )
        .values_list(
            *_ORGANIZATION_COLUMNS,
            *(f"this_year__{column}" for column in _REGISTRATION_COLUMNS),
            *(f"this_year__contacts__{column}" for column in _CONTACT_COLUMNS),
            "reminders_off",
            "has_sampling_notices",
            "roles__kind",
        )
        .order_by("this_year__contacts__created_at", "this_year__contacts__pk")
    )


_PAGE_ROWS = SearchablePreparedQuery(_page_rows, "user", "pk", "year")


def cahps_page_read(user, organization_id, year):
    """``(organization, (registration, contacts))`` of the Register for CAHPS page in one query:
    the organization only if ``user`` holds a role for it (``get_organization_for_user`` with no
    role: any role reads the page), with ``role_kind`` (which role) and ``reminders_off``; its
    registration for ``year`` (or None) with ``has_sampling_notices`` and the registration's
    contacts in order (as ``selectors.registration_and_contacts``). None when the user holds no
    role for it (the view then answers 404, as if it did not exist)."""
    if not (user.is_authenticated and user.is_active and type(organization_id) is int):
        return None
    rows = _PAGE_ROWS.rows(user=user.pk, pk=organization_id, year=year.pk)
    if not rows:
        return None
    first = rows[0]
    organizations, registrations = len(_ORGANIZATION_COLUMNS), len(_REGISTRATION_COLUMNS)
    organization = Organization.from_db("default", _ORGANIZATION_COLUMNS, first[:organizations])
    organization.reminders_off = bool(first[-3])
    organization.role_kind = first[-1]
    registration_values = first[organizations : organizations + registrations]
    if registration_values[0] is None:
        return organization, (None, [])
    registration = Registration.from_db("default", _REGISTRATION_COLUMNS, registration_values)
    registration.has_sampling_notices = bool(first[-2])
    contacts = []
    for row in rows:
        contact_values = row[organizations + registrations : -3]
        if contact_values[0] is None:
            continue
        contact = Contact.from_db("default", _CONTACT_COLUMNS, contact_values)
        Contact.registration.field.set_cached_value(contact, registration)
        contacts.append(contact)
    return organization, (registration, contacts)


def cahps_page(*, organization, year, now, read=None, read_only=False):
    """``read``: the registration (or None) and its contacts in order, when the view has read
    them (``selectors.registration_and_contacts``); ``read_only``: for a user who may only look."""
    if read is None:
        registration = find_registration(organization=organization, year=year)
        contacts = list(registration.contacts.all()) if registration else []
    else:
        registration, contacts = read
    deletion = rules.contact_deletion(contact_count=len(contacts))
    return CahpsPage(
        organization=organization,
        year=year,
        registration=registration,
        window=rules.window_decision(year, now),
        decision=cahps_decision(organization=organization, year=year),
        contacts=[
            CahpsContact(
                contact=contact,
                number=number,
                can_delete=deletion.allowed,
                missing=tuple(label for name, label in CAHPS_CONTACT_FIELDS if not getattr(contact, name)),
            )
            for number, contact in enumerate(contacts, start=1)
        ],
        requirement_note=rules.cahps_requirement_note(organization=organization, year=year),
        read_only=read_only,
    )
