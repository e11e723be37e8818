"""What the CAHPS-only (2023) registration screens show [2023 §III.7–8, §IV–VI], built from
the queries of ``registrations.selectors``.

A CAHPS row or page holds the status, the contacts' missing fields and which buttons show,
decided once here from ``registrations.rules``; the templates and the auto-save answers
only show them.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from contacts.models import Contact
from organizations.models import Organization
from registrations import rules
from registrations.contact_rows import contact_rows
from registrations.lists import SearchablePreparedQuery, tab_of
from registrations.models import (
    PerformanceYear,
    Program,
    ProgramStatus,
    Registration,
    ReminderOptOut,
    SamplingNotice,
)
from registrations.selectors import find_registration, year_registration

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


def cahps_row(*, organization, year, registration, window_open, decision):
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


# --- Register for CAHPS ----------------------------------------------------------------------------


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
            this_year=year_registration(year),
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
    return CahpsPage(
        organization=organization,
        year=year,
        registration=registration,
        window=rules.window_decision(year, now),
        decision=cahps_decision(organization=organization, year=year),
        contacts=contact_rows(contacts),
        requirement_note=rules.cahps_requirement_note(organization=organization, year=year),
        read_only=read_only,
    )
