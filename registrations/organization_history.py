"""One organization's whole story, for the help desk.

A caller asks "what happened to our registration?" and the help desk answers
from one page: every registration of the organization across all performance
years, who holds or held a role, every role request and its decision, and every
change to the organization, its registrations, their contacts, its roles and its
role requests — who made it, when (ET) and what changed, in words rather than
stored codes. The entries are built by ``qpp_registration.core.readable_history``, as on a
registration's own admin page; the queries are a fixed number whatever the
length of the history.
"""

from dataclasses import dataclass

from contacts.models import Contact
from organizations.models import Role, RoleRequest
from qpp_registration.core.readable_history import MAX_ENTRIES, entries_for, users_named
from registrations.models import Program, Registration
from registrations.rules import format_eastern, status_label

# The newest changes shown; older ones stay in each object's own history page.
MAX_CHANGES = 2 * MAX_ENTRIES


@dataclass(frozen=True)
class ProgramLine:
    program: str
    status: str
    how: str
    when: str
    by: str


@dataclass(frozen=True)
class RegistrationLine:
    registration: Registration
    programs: tuple[ProgramLine, ...]


@dataclass(frozen=True)
class RoleLine:
    user: object
    role: str
    since: str


@dataclass(frozen=True)
class RoleRequestLine:
    user: object
    role: str
    status: str
    requested: str
    decided: str
    decided_by: str
    note: str


@dataclass(frozen=True)
class OrganizationHistory:
    registrations: list
    roles: list
    role_requests: list
    changes: list
    more_changes: bool


def _registration_lines(registrations):
    lines = []
    for registration in registrations:
        year = registration.performance_year
        programs = []
        for program, offered in (
            (Program.WEB_INTERFACE, year.offers_web_interface),
            (Program.CAHPS, year.offers_cahps),
        ):
            status = registration.status_for(program)
            if not offered and status == "not_registered":
                continue
            registered_at = getattr(registration, f"{program.value}_registered_at")
            registered_by = getattr(registration, f"{program.value}_registered_by")
            programs.append(
                ProgramLine(
                    program=program.label,
                    status=status_label(year, status),
                    how=getattr(registration, f"get_{program.value}_source_display")(),
                    when=format_eastern(registered_at) if registered_at else "",
                    by=str(registered_by) if registered_by else "",
                )
            )
        lines.append(RegistrationLine(registration=registration, programs=tuple(programs)))
    return lines


def _newest(queryset):
    return list(queryset.select_related("history_user").order_by("-history_date")[:MAX_CHANGES])


def organization_history(organization):
    """Everything the help desk needs about ``organization``, newest first."""
    registrations = list(
        Registration.objects.filter(organization=organization)
        .select_related("performance_year", "web_interface_registered_by", "cahps_registered_by")
        .order_by("-performance_year__year")
    )
    registration_ids = {registration.pk: registration for registration in registrations}
    roles = list(Role.objects.filter(organization=organization).select_related("user").order_by("granted_at"))
    role_requests = list(
        RoleRequest.objects.filter(organization=organization)
        .select_related("user", "decided_by")
        .order_by("-requested_at")
    )

    organization_records = _newest(organization.history.all())
    registration_records = _newest(Registration.history.filter(organization_id=organization.pk))
    contact_records = _newest(Contact.history.filter(registration_id__in=list(registration_ids)))
    role_records = _newest(Role.history.filter(organization_id=organization.pk))
    request_records = _newest(RoleRequest.history.filter(organization_id=organization.pk))
    users = users_named([*registration_records, *role_records, *request_records])

    def registration_named(registration_pk):
        registration = registration_ids.get(registration_pk)
        if registration is None:
            return "a registration"
        return f"{registration.registration_id} ({registration.performance_year.year})"

    def registration_subject(record):
        return f"Registration {registration_named(record.id)}"

    def contact_subject(record):
        name = f"{record.first_name} {record.last_name}".strip() or "(unnamed)"
        return f"Contact {name} of {registration_named(record.registration_id)}"

    def role_subject(record):
        # Which role: a removed Security Official's entry says so, with its reason (services.role_remove).
        return f"{record.get_kind_display()} role of {users.get(record.user_id, 'a removed user')}"

    def request_subject(record):
        return f"Role request by {users.get(record.user_id, 'a removed user')}"

    changes = [
        *entries_for(organization_records, lambda record: "Organization", users),
        *entries_for(registration_records, registration_subject, users),
        *entries_for(contact_records, contact_subject, users),
        *entries_for(role_records, role_subject, users),
        *entries_for(request_records, request_subject, users),
    ]
    changes.sort(key=lambda entry: entry.when, reverse=True)
    return OrganizationHistory(
        registrations=_registration_lines(registrations),
        roles=[
            RoleLine(user=role.user, role=role.get_kind_display(), since=format_eastern(role.granted_at))
            for role in roles
        ],
        role_requests=[
            RoleRequestLine(
                user=request.user,
                role=request.get_role_display(),
                status=request.get_status_display(),
                requested=format_eastern(request.requested_at),
                decided=format_eastern(request.decided_at) if request.decided_at else "",
                decided_by=str(request.decided_by) if request.decided_by else "",
                note=request.decision_note,
            )
            for request in role_requests
        ],
        changes=changes[:MAX_CHANGES],
        more_changes=len(changes) > MAX_CHANGES,
    )
