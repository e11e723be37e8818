"""One organization's whole story, for the help desk.

A caller asks "what happened to our registration?" and the help desk answers
from one page: every registration of the organization across all performance
years, who holds or held a role, every role request and its decision, and every
change to the organization, its registrations, their contacts, its roles and its
role requests — who made it, when (ET) and what changed, in words rather than
stored codes. The entries are built by ``qpp_registration.core.readable_history``, as on a
registration's own admin page; the queries are a fixed number whatever the
length of the history.

The organization's own people read the same history, a page at a time and less what stays the
help desk's, on its Recent changes page (``recent_changes``, below).
"""

from dataclasses import dataclass

from django.db.models import OuterRef, Subquery, Value

from contacts.models import Contact
from organizations.models import Organization, Role, RoleRequest
from qpp_registration.core.pagination import FirstPagePaginator
from qpp_registration.core.readable_history import IGNORED_FIELDS, MAX_ENTRIES, entries_for, users_named
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


ORGANIZATION, REGISTRATION, CONTACT, ROLE, ROLE_REQUEST = (
    "organization",
    "registration",
    "contact",
    "role",
    "request",
)


def _subjects(registrations, users):
    """What each kind of record is about, in words, by kind: ``registrations`` are the
    organization's by pk (with their performance years), ``users`` the names of users by pk."""

    def registration_named(registration_pk):
        registration = registrations.get(registration_pk)
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

    return {
        ORGANIZATION: lambda record: "Organization",
        REGISTRATION: registration_subject,
        CONTACT: contact_subject,
        ROLE: role_subject,
        ROLE_REQUEST: request_subject,
    }


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
    subjects = _subjects(registration_ids, users)

    changes = [
        *entries_for(organization_records, subjects[ORGANIZATION], users),
        *entries_for(registration_records, subjects[REGISTRATION], users),
        *entries_for(contact_records, subjects[CONTACT], users),
        *entries_for(role_records, subjects[ROLE], users),
        *entries_for(request_records, subjects[ROLE_REQUEST], users),
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


# --- Recent changes, as the organization's own people see them ------------------------------------
#
# The same history, for anyone with a role for the organization (its Security Officials and Staff
# Users, issue 27 item 7), a page at a time. What they see, and what stays the help desk's:
# - the changes to the organization, its registrations of every year, their contacts and its
#   roles: who made each, when (ET), what changed and the reason the portal recorded;
# - not role requests and invitations: they are other people's, with notes between them and
#   whoever decided (``RoleRequest.decision_note``, written by CMS staff in admin too); a request
#   approved shows as the role it granted;
# - not the TIN in full: the portal shows it masked everywhere, and it cannot change;
# - not the names of CMS staff: a change the help desk made (in admin or as the QPP Service
#   Center) reads "QPP Service Center" [2020 §I], as its e-mails do.

CHANGES_PER_PAGE = 25
SERVICE_CENTER = "QPP Service Center"
_HIDDEN_FROM_OFFICIALS = IGNORED_FIELDS | {"identifier"}
_MODELS = {ORGANIZATION: Organization, REGISTRATION: Registration, CONTACT: Contact, ROLE: Role}


def _named_for_officials(user):
    return SERVICE_CENTER if user.is_staff else str(user)


def _author_for_officials(record):
    user = record.history_user
    return "System (automatic)" if user is None else _named_for_officials(user)


def _stream(organization_id):
    """Every history record of the organization, its registrations, their contacts (of
    registrations since deleted too) and its roles, newest first, each as ``(when, kind,
    history_id, previous)``: ``previous`` the history id of the same object's record before it,
    which it is diffed against. One query (a ``UNION ALL``) for a page and one to count."""
    registrations = Registration.history.filter(organization_id=organization_id).values("id")
    parts = [
        (ORGANIZATION, Organization.history.filter(id=organization_id)),
        (REGISTRATION, Registration.history.filter(organization_id=organization_id)),
        (CONTACT, Contact.history.filter(registration_id__in=registrations)),
        (ROLE, Role.history.filter(organization_id=organization_id)),
    ]
    streams = []
    for kind, records in parts:
        before = (
            _MODELS[kind]
            .history.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
            .order_by("-history_id")
            .values("history_id")[:1]
        )
        streams.append(
            records.order_by()
            .annotate(record_kind=Value(kind), previous_history_id=Subquery(before))
            .values_list("history_date", "record_kind", "history_id", "previous_history_id")
        )
    first, *others = streams
    return first.union(*others, all=True).order_by("-history_date", "-record_kind", "-history_id")


def recent_changes(organization, *, page_number):
    """A page (``CHANGES_PER_PAGE``) of the organization's changes as its own people see them
    (above), newest first: each a ``readable_history.HistoryEntry``. A fixed number of queries
    however long the history: the page of the stream (and its count when it is longer than a
    page), each kind's records on the page with the ones they are diffed against, the users
    their fields name, and the organization's registrations."""
    page = FirstPagePaginator(_stream(organization.pk), CHANGES_PER_PAGE).get_page(page_number)
    rows = list(page.object_list)
    wanted = {kind: set() for kind in _MODELS}
    for _when, kind, history_id, previous in rows:
        wanted[kind].update(each for each in (history_id, previous) if each is not None)
    records = {
        kind: list(_MODELS[kind].history.filter(history_id__in=ids).select_related("history_user"))
        for kind, ids in wanted.items()
        if ids
    }
    users = users_named(
        [record for found in records.values() for record in found], named=_named_for_officials
    )
    registrations = {
        registration.pk: registration
        for registration in Registration.objects.filter(organization=organization).select_related(
            "performance_year"
        )
    }
    subjects = _subjects(registrations, users)
    entries = {}
    for kind, found in records.items():
        shown = {history_id for _when, each, history_id, _previous in rows if each == kind}
        for entry in entries_for(
            found,
            subjects[kind],
            users,
            shown=shown,
            who=_author_for_officials,
            excluded=_HIDDEN_FROM_OFFICIALS,
        ):
            entries[kind, entry.history_id] = entry
    # A save that changed nothing shown has no entry (``entries_for``): the page shows the rest.
    page.object_list = [
        entries[kind, history_id]
        for _when, kind, history_id, _previous in rows
        if (kind, history_id) in entries
    ]
    return page
