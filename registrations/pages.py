"""What the 2020/2021 registration screens and Connected Organizations show, built from
the queries of ``registrations.selectors``.

Each row, cell and detail carries the rules' decisions (``registrations.rules``) already
made, so a 2020/2021 template only shows what it is given.
"""

from dataclasses import dataclass, field

from contacts.models import Contact
from organizations.models import Organization
from registrations import rules
from registrations.models import (
    PerformanceYear,
    Program,
    ProgramStatus,
    Registration,
    Source,
)
from registrations.selectors import find_registration, registrations_by_organization

# URL slugs of the programs: /registration/2021/<org>/web-interface/submit/
PROGRAM_SLUGS = {Program.WEB_INTERFACE: "web-interface", Program.CAHPS: "cahps"}


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


class _RegistrationFacts:
    """What a page says about ``self.registration``, which may not exist yet."""

    @property
    def size(self):
        return self.registration.size if self.registration else ""

    @property
    def size_label(self):
        return self.registration.get_size_display() if self.registration and self.registration.size else ""

    @property
    def registration_id(self):
        return self.registration.registration_id if self.registration else ""


@dataclass(frozen=True)
class OrganizationRow(_RegistrationFacts):
    organization: Organization
    registration: Registration | None
    cells: list
    size_editable: bool  # size chosen next to Register (no program registered yet)
    is_security_official: bool = True
    role_label: str = ""

    @property
    def can_register_any(self):
        return any(cell.can_register for cell in self.cells)


# What a row of the main registration page shows of its organization, and what the rules read of
# it (kind, aco_type): the page reads only these, ``organizations.only(*ROW_ORGANIZATION_FIELDS)``.
ROW_ORGANIZATION_FIELDS = ("name", "kind", "identifier", "aco_type")
# What a row shows of its registration and what its cells and the rules read of it.
ROW_REGISTRATION_FIELDS = (
    "organization",
    "registration_id",
    "size",
    "web_interface_status",
    "web_interface_source",
    "cahps_status",
    "cahps_source",
)


def registration_rows(*, organizations, year, window_open):
    """Rows of the main registration page for ``organizations`` (a page of them): their
    registrations for ``year`` in one query."""
    organizations = list(organizations)
    registrations = registrations_by_organization(
        organizations=organizations, year=year, fields=ROW_REGISTRATION_FIELDS
    )
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


@dataclass(frozen=True)
class ContactRow:
    contact: Contact
    can_delete: bool
    delete_reason: str


@dataclass
class RegistrationDetail(_RegistrationFacts):
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
