"""Reads the registration pages need, each shaped to a fixed number of queries.

Decisions come from ``registrations.rules`` and are computed here, once, so a
template only shows what it is given and never re-derives a rule. A page
listing 300 organizations runs the same queries as one listing three: the
organizations of the page, then their registrations for the year in one query.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404

from contacts.models import Contact
from organizations.models import Organization, Role
from qpp_registration.core.eastern import format_eastern
from registrations import rules
from registrations.models import (
    PerformanceYear,
    Program,
    ProgramStatus,
    Registration,
    SamplingOutcome,
    Source,
)
from registrations.rules import WindowState

# URL slugs of the programs: /registration/2021/<org>/web-interface/submit/
PROGRAM_SLUGS = {Program.WEB_INTERFACE: "web-interface", Program.CAHPS: "cahps"}

# Open years first; among the rest the next to open, then the most recently closed.
_STATE_ORDER = {WindowState.OPEN: 0, WindowState.NOT_YET_OPEN: 1, WindowState.CLOSED: 2}


# --- Performance years ------------------------------------------------------------------------------


def selectable_years(now):
    """Every configured performance year, the open ones first (newest first), then
    the years still to open (soonest first), then the closed ones (newest first).

    The performance-year switcher of both registration flows lists these.
    """
    years = list(PerformanceYear.objects.all())

    def order(year):
        state = rules.window_state(year, now)
        if state is WindowState.NOT_YET_OPEN:
            return (_STATE_ORDER[state], year.window_opens.timestamp())
        return (_STATE_ORDER[state], -year.year)

    return sorted(years, key=order)


def open_years(now):
    """The performance years open at ``now``, the one whose window closes first at the head (the
    older year first when two close together): the one a Security Official must finish first."""
    years = [
        year for year in PerformanceYear.objects.all() if rules.window_state(year, now) is WindowState.OPEN
    ]
    return sorted(years, key=lambda year: (year.window_closes, year.year))


def default_year(now):
    """The most relevant performance year at ``now``: of the open ones, the one whose window
    closes first (the older when two close together, as the guides come in year order);
    else the next to open, else the most recently closed; None when none is configured."""
    opened = open_years(now)
    if opened:
        return opened[0]
    years = selectable_years(now)
    return years[0] if years else None


@dataclass(frozen=True)
class YearOption:
    year: int
    label: str
    selected: bool
    is_open: bool = False


def year_options(now, selected):
    """The switcher's options: "2021 (open until …)", "2020 (closed)", …"""
    options = []
    for year in selectable_years(now):
        state = rules.window_state(year, now)
        if state is WindowState.OPEN:
            note = f"open until {format_eastern(year.window_closes)}"
        elif state is WindowState.NOT_YET_OPEN:
            note = f"opens {format_eastern(year.window_opens)}"
        else:
            note = "closed"
        options.append(
            YearOption(
                year=year.year,
                label=f"{year.year} ({note})",
                selected=year.pk == selected.pk,
                is_open=state is WindowState.OPEN,
            )
        )
    return options


def get_year(year):
    return get_object_or_404(PerformanceYear, year=year)


# --- Status cells -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramCell:
    """One program's column for one organization: what to show and which button."""

    program: Program
    slug: str
    label: str
    status: str  # the key includes/status.html draws: registered, not_registered, automatic, …
    status_text: str
    note: str = ""  # e.g. "Registered automatically"
    can_register: bool = False
    can_cancel: bool = False
    reason: str = ""  # why there is no Register button (a rule's reason)
    hint: str = ""  # shown under an inline Register button: the size it needs
    allowed_sizes: tuple = ()  # sizes at which Register is allowed (the page's script hides it otherwise)

    @property
    def is_registered(self):
        return self.status in ("registered", "complete", "incomplete")


_SOURCE_NOTES = {
    Source.AUTOMATIC: "Registered automatically",
    Source.SERVICE_CENTER: "Registered by the QPP Service Center",
}


def program_cell(*, program, organization, year, registration, window_open, size_editable):
    """The cell of ``program`` for ``organization``: status, and Register / Cancel Registration
    where the rules and the window allow them [2020 §IV.1–2, §VI, §VII]."""
    program = Program(program)
    status = registration.status_for(program) if registration else ProgramStatus.NOT_REGISTERED
    base = {
        "program": program,
        "slug": PROGRAM_SLUGS[program],
        "label": program.label,
        "status_text": rules.status_label(year, status),
    }
    if status != ProgramStatus.NOT_REGISTERED:
        return ProgramCell(
            **base,
            status=rules.status_key(year, status),
            note=_SOURCE_NOTES.get(registration.source_for(program), ""),
            can_cancel=window_open,
        )
    size = registration.size if registration else ""
    current = rules.program_eligibility(program, organization=organization, year=year, size=size)
    if current.automatic:
        # e.g. a Shared Savings Program ACO from 2021 [2021 #5, #6]: registered without a registration.
        automatic = {**base, "status_text": rules.STATUS_WORDS["automatic"]}
        return ProgramCell(**automatic, status="automatic", reason=current.reason)
    by_size = rules.eligibility_by_size(program, organization=organization, year=year)
    allowed_sizes = tuple(value for value, decision in by_size.items() if decision)
    not_registered = {**base, "status": rules.status_key(year, status), "allowed_sizes": allowed_sizes}
    if size_editable and allowed_sizes:
        # The size is chosen in the same form as Register: offer the button and say what size
        # it needs; the server checks the chosen size again [2020 §IV.1–2].
        refused = [decision.reason for decision in by_size.values() if not decision]
        # No hint once the saved size is one that fits.
        hint = refused[0] if refused and size not in allowed_sizes else ""
        return ProgramCell(**not_registered, can_register=window_open, hint=hint)
    if not current:
        reason = current.reason
        if not allowed_sizes:
            reason = next(iter(by_size.values())).reason
        return ProgramCell(**not_registered, reason=reason)
    return ProgramCell(**not_registered, can_register=window_open)


def program_cells(*, organization, year, registration, window_open, size_editable):
    return [
        program_cell(
            program=program,
            organization=organization,
            year=year,
            registration=registration,
            window_open=window_open,
            size_editable=size_editable,
        )
        for program in year.programs
    ]


# --- Main registration page and Connected Organizations ---------------------------------------------


def security_official_organizations(user):
    """Organizations where ``user`` is a Security Official: the main registration page
    lists these and no others [2020 §IV]."""
    return Organization.objects.filter(roles__user=user, roles__kind=Role.Kind.SECURITY_OFFICIAL).order_by(
        "name", "identifier"
    )


def user_roles(user):
    """Every role of ``user``, with its organization: the Connected Organizations list."""
    return (
        Role.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name", "organization__identifier")
    )


def registrations_by_organization(*, organizations, year):
    """``{organization_id: Registration}`` for ``year`` in one query."""
    registrations = Registration.objects.filter(
        performance_year=year, organization__in=[o.pk for o in organizations]
    ).order_by()
    return {registration.organization_id: registration for registration in registrations}


@dataclass(frozen=True)
class OrganizationRow:
    organization: Organization
    registration: Registration | None
    cells: list
    size_editable: bool  # size chosen next to Register (no program registered yet)
    is_security_official: bool = True
    role_label: str = ""

    @property
    def size(self):
        return self.registration.size if self.registration else ""

    @property
    def size_label(self):
        return self.registration.get_size_display() if self.registration and self.registration.size else ""

    @property
    def registration_id(self):
        return self.registration.registration_id if self.registration else ""

    @property
    def can_register_any(self):
        return any(cell.can_register for cell in self.cells)


def registration_rows(*, organizations, year, window_open):
    """Rows of the main registration page for ``organizations`` (a page of them)."""
    organizations = list(organizations)
    registrations = registrations_by_organization(organizations=organizations, year=year)
    rows = []
    for organization in organizations:
        registration = registrations.get(organization.pk)
        editable = rules.size_editable(registration)
        rows.append(
            OrganizationRow(
                organization=organization,
                registration=registration,
                size_editable=editable,
                cells=program_cells(
                    organization=organization,
                    year=year,
                    registration=registration,
                    window_open=window_open,
                    size_editable=editable,
                ),
            )
        )
    return rows


def connected_rows(*, roles, year):
    """Rows of Connected Organizations: every role's organization with its statuses for
    ``year``; *Edit Registration* only where the role is Security Official [2020 §III.5–6]."""
    roles = list(roles)
    organizations = [role.organization for role in roles]
    registrations = registrations_by_organization(organizations=organizations, year=year)
    rows = []
    for role in roles:
        registration = registrations.get(role.organization_id)
        rows.append(
            OrganizationRow(
                organization=role.organization,
                registration=registration,
                size_editable=False,
                is_security_official=role.is_security_official,
                role_label=role.get_kind_display(),
                cells=program_cells(
                    organization=role.organization,
                    year=year,
                    registration=registration,
                    window_open=False,
                    size_editable=False,
                ),
            )
        )
    return rows


# --- One organization's registration ----------------------------------------------------------------


def find_registration(*, organization, year):
    """The organization's registration for ``year`` with its contacts, or None."""
    return (
        Registration.objects.filter(organization=organization, performance_year=year)
        .prefetch_related(Prefetch("contacts", queryset=Contact.objects.order_by("created_at", "pk")))
        .first()
    )


def get_contact(*, registration, pk):
    """A contact of ``registration`` (never another registration's: 404)."""
    if registration is None:
        from django.http import Http404

        raise Http404("No contact")
    return get_object_or_404(Contact, pk=pk, registration=registration)


@dataclass(frozen=True)
class ContactRow:
    contact: Contact
    can_delete: bool
    delete_reason: str


@dataclass
class RegistrationDetail:
    """Everything the Submit Registration and Show Details pages show for one organization."""

    organization: Organization
    year: PerformanceYear
    registration: Registration | None
    window: rules.Decision
    cells: list
    contacts: list = field(default_factory=list)
    missing_organization_fields: list = field(default_factory=list)
    readiness: rules.Decision = rules.ALLOWED

    @property
    def window_open(self):
        return self.window.allowed

    @property
    def size_label(self):
        return self.registration.get_size_display() if self.registration and self.registration.size else ""

    @property
    def registration_id(self):
        return self.registration.registration_id if self.registration else ""

    def cell(self, program):
        return next((cell for cell in self.cells if cell.program == program), None)


def registration_detail(*, organization, year, now):
    registration = find_registration(organization=organization, year=year)
    window = rules.window_decision(year, now)
    contacts = list(registration.contacts.all()) if registration else []
    deletion = rules.contact_deletion(contact_count=len(contacts))
    return RegistrationDetail(
        organization=organization,
        year=year,
        registration=registration,
        window=window,
        cells=program_cells(
            organization=organization,
            year=year,
            registration=registration,
            window_open=window.allowed,
            size_editable=False,
        ),
        contacts=[
            ContactRow(contact=contact, can_delete=deletion.allowed, delete_reason=deletion.reason)
            for contact in contacts
        ],
        missing_organization_fields=rules.missing_organization_fields(organization),
        readiness=rules.submission_readiness(organization=organization, contacts=contacts),
    )


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


def cahps_tabs(user, selected=""):
    """The tabs of the organization types ``user`` is a Security Official of, in one query.

    Only the types the user has get a tab [2023 §III.7]; the first one is
    selected unless ``selected`` names another.
    """
    counts = dict(
        security_official_organizations(user)
        .order_by()
        .values_list("kind")
        .annotate(total=Count("pk", distinct=True))
    )
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


def _search_filter(query, year):
    """What the list shows: the name, a virtual group or APM Entity ID, a TIN by the digits
    its mask shows (the last four; all nine when typed whole), or the registration ID."""
    from django.db.models import Exists, OuterRef, Q

    from registrations.admin_search import canonical_registration_id

    query = query.strip()
    practice = Q(kind__in=(Organization.Kind.PRACTICE,))
    condition = Q(name__icontains=query) | (~practice & Q(identifier__icontains=query))
    digits = "".join(character for character in query if character.isdigit())
    if digits and all(c.isdigit() or c in "-. *" for c in query):
        if len(digits) == 9:
            condition |= practice & Q(identifier=digits)
        elif len(digits) <= 4:
            condition |= practice & Q(visible_tin__contains=digits)
    registration_id = canonical_registration_id(query)
    if registration_id:
        condition |= Q(
            Exists(
                Registration.objects.filter(
                    organization=OuterRef("pk"), performance_year=year, registration_id=registration_id
                )
            )
        )
    return condition


def cahps_organizations(user, *, year, tab, status="", query=""):
    """The Security Official's organizations of ``tab`` (a slug of ``CAHPS_TAB_SPECS``),
    narrowed by CAHPS ``status`` (a key of ``CAHPS_STATUS_FILTERS``); a search (name,
    identifier as shown, registration ID) looks through every tab. A lazy queryset for the
    paginator."""
    from django.db.models import Exists, OuterRef
    from django.db.models.functions import Right

    spec = next((spec for spec in CAHPS_TAB_SPECS if spec.slug == tab), None)
    organizations = security_official_organizations(user).select_related("parent")
    if not query.strip():
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
    if query.strip():
        organizations = organizations.annotate(visible_tin=Right("identifier", 4)).filter(
            _search_filter(query, year)
        )
    # One Security Official role per user and organization, so the join repeats no row.
    return organizations.order_by("name", "identifier", "pk")


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


def _cahps_row(*, organization, year, registration, window_open):
    status = registration.cahps_status if registration else ProgramStatus.NOT_REGISTERED
    state = cahps_state(registration)
    decision = cahps_decision(organization=organization, year=year)
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


def cahps_rows(*, organizations, year, window_open):
    """Rows of one page of the CAHPS list: the page's registrations in one query."""
    organizations = list(organizations)
    registrations = {
        registration.organization_id: registration
        for registration in Registration.objects.filter(
            performance_year=year, organization__in=[organization.pk for organization in organizations]
        ).order_by()
    }
    return [
        _cahps_row(
            organization=organization,
            year=year,
            registration=registrations.get(organization.pk),
            window_open=window_open,
        )
        for organization in organizations
    ]


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
        return self.window.allowed and bool(self.decision) and self.state in (CAHPS_NEW, CAHPS_STARTED)

    @property
    def can_delete_registration(self):
        # As soon as the registration ID exists [2023 §III.8], not only once a size is chosen.
        return self.window.allowed and bool(self.decision) and self.state in (CAHPS_NEW, CAHPS_STARTED)

    @property
    def can_register_again(self):
        return self.window.allowed and bool(self.decision) and self.state == CAHPS_DELETED

    @property
    def can_download(self):
        return self.is_complete and self.year.offers_summary_download


def cahps_page(*, organization, year, now):
    registration = find_registration(organization=organization, year=year)
    contacts = list(registration.contacts.all()) if registration else []
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
    )


@dataclass(frozen=True)
class CahpsCompletion:
    at: object  # aware datetime
    by: object  # the user, or None when it is not known


def cahps_completion(registration):
    """When the CAHPS registration last became Complete, and who made the change that
    completed it, from the registration's history; None unless it is Complete."""
    if registration is None or registration.cahps_status != ProgramStatus.REGISTERED:
        return None
    completed = None
    for record in registration.history.select_related("history_user").order_by("-history_date", "-pk"):
        if record.cahps_status != ProgramStatus.REGISTERED:
            break
        completed = record
    if completed is None:
        return CahpsCompletion(at=registration.cahps_registered_at, by=registration.cahps_registered_by)
    return CahpsCompletion(
        at=completed.history_date, by=completed.history_user or registration.cahps_registered_by
    )


# --- Fall sampling notices ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SamplingNoticeView:
    program: str
    summary: str
    consequences: list
    recorded_at: object


def sampling_notices(registration):
    """The sampling results recorded on ``registration``, with what each means."""
    if registration is None:
        return []
    views = []
    for notice in registration.sampling_notices.order_by("outcome"):
        outcome = SamplingOutcome(notice.outcome)
        summary, consequences = rules.sampling_consequences(outcome)
        views.append(SamplingNoticeView(outcome.program.label, summary, consequences, notice.recorded_at))
    return views
