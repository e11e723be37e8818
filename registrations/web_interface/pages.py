"""What the 2020/2021 registration screens and Connected Organizations show, built from
the queries of ``registrations.selectors``.

Each row, cell and detail carries the rules' decisions (``registrations.rules``) already
made, so a 2020/2021 template only shows what it is given.
"""

from dataclasses import dataclass, replace

from django.db.models import F

from organizations.models import Organization, Role
from qpp_registration.core.pagination import ORGANIZATIONS_PER_PAGE
from registrations import rules
from registrations.models import (
    Program,
    ProgramStatus,
    Registration,
    Size,
    Source,
)
from registrations.rules.answers import Answers, year_values
from registrations.selectors import (
    PreparedQuery,
    registrations_by_organization,
)

# URL slugs of the programs: /registration/2021/<org>/web-interface/submit/
PROGRAM_SLUGS = {Program.WEB_INTERFACE: "web-interface", Program.CAHPS: "cahps"}


# --- Status cells -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramCell:
    """One program's column for one organization: what to show and which button."""

    program: Program
    slug: str
    label: str
    status: str  # the key status_badge draws: registered, not_registered, automatic, …
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


def _cell_start(program, organization, year, registration):
    """What every cell of ``program`` starts from: ``(program, status, fields, done, current)``.
    ``done`` is the finished cell of a program registered (``current`` None) or registered
    automatically; ``current`` the program's eligibility at the saved size."""
    program = Program(program)
    status = registration.status_for(program) if registration else ProgramStatus.NOT_REGISTERED
    fields = {
        "program": program,
        "slug": PROGRAM_SLUGS[program],
        "label": program.label,
        "status_text": rules.status_label(year, status),
    }
    if status != ProgramStatus.NOT_REGISTERED:
        note = _SOURCE_NOTES.get(registration.source_for(program), "")
        return (
            program,
            status,
            fields,
            ProgramCell(**fields, status=rules.status_key(year, status), note=note),
            None,
        )
    size = registration.size if registration else ""
    current = rules.program_eligibility(program, organization=organization, year=year, size=size)
    if current.automatic:
        # e.g. a Shared Savings Program ACO from 2021 [2021 #5, #6]: registered without a registration.
        automatic = {**fields, "status_text": rules.STATUS_WORDS["automatic"]}
        return (
            program,
            status,
            fields,
            ProgramCell(**automatic, status="automatic", reason=current.reason),
            current,
        )
    return program, status, fields, None, current


def program_cell(*, program, organization, year, registration, window_open, size_editable, by_size=None):
    """The cell of ``program`` for ``organization``: status, and Register / Cancel Registration
    where the rules and the window allow them [2020 §IV.1–2, §VI, §VII]. ``by_size``: a function
    giving ``rules.eligibility_by_size`` of a program for the organization, when a page has it."""
    program, status, fields, done, current = _cell_start(program, organization, year, registration)
    if current is None:
        return replace(done, can_cancel=window_open)
    if done is not None:
        return done
    size = registration.size if registration else ""
    if by_size is None:
        by_size = rules.eligibility_by_size(program, organization=organization, year=year)
    else:
        by_size = by_size(program)
    allowed_sizes = tuple(value for value, decision in by_size.items() if decision)
    not_registered = {**fields, "status": rules.status_key(year, status), "allowed_sizes": allowed_sizes}
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


def status_cells(*, organization, year, registration, window_open=False, size_editable=False, by_size=None):
    """The cells of a page that shows each program's status and no action (Connected
    Organizations): ``program_cells``' status, text and note, without the Register rules by size
    that only its actions and reasons need."""
    cells = []
    for program in year.programs:
        _program, status, fields, done, _current = _cell_start(program, organization, year, registration)
        cells.append(done or ProgramCell(**fields, status=rules.status_key(year, status)))
    return cells


def program_cells(*, organization, year, registration, window_open, size_editable, by_size=None):
    return [
        program_cell(
            program=program,
            organization=organization,
            year=year,
            registration=registration,
            window_open=window_open,
            size_editable=size_editable,
            by_size=by_size,
        )
        for program in year.programs
    ]


SIZE_LABELS = dict(Size.choices)


class RegistrationFacts:
    """What a page says about ``self.registration``, which may not exist yet."""

    @property
    def size(self):
        return self.registration.size if self.registration else ""

    @property
    def size_label(self):
        # A dict lookup: ``get_size_display()`` rebuilds the field's choices at every call.
        return SIZE_LABELS.get(self.registration.size, "") if self.registration else ""

    @property
    def registration_id(self):
        return self.registration.registration_id if self.registration else ""


@dataclass(frozen=True)
class OrganizationRow(RegistrationFacts):
    organization: Organization
    registration: Registration | None
    cells: list
    size_editable: bool  # size chosen next to Register (no program registered yet, one registrable)
    is_security_official: bool = True
    role_label: str = ""

    @property
    def can_register_any(self):
        return any(cell.can_register for cell in self.cells)

    @property
    def shows_size(self):
        """An organization with nothing registered that no size lets register (a subgroup in a
        year without subgroups, a Shared Savings Program ACO registered automatically) has no
        size to show or choose."""
        return self.size_editable or self.registration is not None


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


# The cells of rows alike (``_alike_rows_share_cells``), by the year's values and the window.
_CELLS = Answers()


def _alike_rows_share_cells(year, window_open, build=program_cells):
    """``program_cells`` for a page of rows, computed once for rows alike: the rules read only
    the organization's kind and ACO type (``ROW_ORGANIZATION_FIELDS``) and the registration's
    size, statuses and sources, and the cells are frozen, so a page of 25 practices in the same
    state shares one tuple of cells, and so do later pages of the year (``rules.answers``: a
    year edited has other values). Rows alike but for their registration share the rules'
    decisions by size, which read only the organization."""
    decided = {}
    page_key = (year_values(year), window_open, build)

    def cells(organization, registration, size_editable):
        def by_size(program):
            alike = (program, organization.kind, organization.aco_type)
            if alike not in decided:
                decided[alike] = rules.eligibility_by_size(program, organization=organization, year=year)
            return decided[alike]

        key = (organization.kind, organization.aco_type, size_editable) + (
            ()
            if registration is None
            else (
                registration.size,
                registration.web_interface_status,
                registration.web_interface_source,
                registration.cahps_status,
                registration.cahps_source,
            )
        )
        return _CELLS.get(
            (*page_key, key),
            lambda: tuple(
                build(
                    organization=organization,
                    year=year,
                    registration=registration,
                    window_open=window_open,
                    size_editable=size_editable,
                    by_size=by_size,
                )
            ),
        )

    return cells


def registration_rows(*, organizations, year, window_open, registrations=None):
    """Rows of the main registration page for ``organizations`` (a page of them): their
    registrations for ``year`` in one query, unless given (``{organization_id: Registration}``)."""
    organizations = list(organizations)
    if registrations is None:
        registrations = registrations_by_organization(
            organizations=organizations, year=year, fields=ROW_REGISTRATION_FIELDS
        )
    cells = _alike_rows_share_cells(year, window_open)
    rows = []
    for organization in organizations:
        registration = registrations.get(organization.pk)
        editable = rules.size_editable(registration)
        row_cells = cells(organization, registration, editable)
        # No size next to Register where no program can be registered at any size: the cells
        # are the same either way (a cell offers Register only at one of its allowed sizes).
        editable = editable and any(cell.allowed_sizes for cell in row_cells)
        rows.append(
            OrganizationRow(
                organization=organization,
                registration=registration,
                size_editable=editable,
                cells=row_cells,
            )
        )
    return rows


_CONNECTED_REGISTRATIONS = PreparedQuery(
    lambda user, year: Registration.objects.filter(
        performance_year=year, organization__in=Role.objects.filter(user=user).values("organization")
    ).order_by(),
    "user",
    "year",
)


def connected_rows(*, roles, year, user=None):
    """Rows of Connected Organizations: every role's organization with its statuses for
    ``year``; *Edit Registration* only where the role is Security Official [2020 §III.5–6].
    ``user``: when ``roles`` are every role of theirs (one page holds them all), the
    registrations are read in a prepared query."""
    roles = list(roles)
    if user is None or not roles:
        organizations = [role.organization for role in roles]
        registrations = registrations_by_organization(organizations=organizations, year=year)
    else:
        found = _CONNECTED_REGISTRATIONS.models(user=user.pk, year=year.pk)
        registrations = {registration.organization_id: registration for registration in found}
    cells = _alike_rows_share_cells(year, False, build=status_cells)  # no action on this page
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
                cells=cells(role.organization, registration, False),
            )
        )
    return rows


# --- Connected Organizations of a user whose roles fit on one page -----------------------------------

# What a row of Connected Organizations shows of an organization, and what the rules read of it.
CONNECTED_ORGANIZATION_FIELDS = ("name", "kind", "identifier", "aco_type")

_FIRST_ROLE_ORGANIZATIONS = PreparedQuery(
    lambda user: (
        Organization.objects.filter(roles__user=user)
        .only(*CONNECTED_ORGANIZATION_FIELDS)
        .annotate(role_id=F("roles__id"), role_kind=F("roles__kind"))
        .order_by("name", "identifier")[: ORGANIZATIONS_PER_PAGE + 1]
    ),
    "user",
)


def first_roles(user):
    """What ``FirstPagePaginator`` reads first of ``selectors.user_roles(user)``, in a prepared
    query: a page of the user's roles and one more, in the same order, each with its
    organization (``CONNECTED_ORGANIZATION_FIELDS`` only)."""
    return [
        Role(id=organization.role_id, user_id=user.pk, organization=organization, kind=organization.role_kind)
        for organization in _FIRST_ROLE_ORGANIZATIONS.models(user=user.pk)
    ]
