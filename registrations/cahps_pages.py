"""What the CAHPS-only (2023) registration screens show [2023 §III.7–8, §IV–VI], built from
the queries of ``registrations.selectors``.

A CAHPS row or page holds the status, the contacts' missing fields and which buttons show,
decided once here from ``registrations.rules``; the templates and the auto-save answers
only show them.
"""

from dataclasses import dataclass

from contacts.models import Contact
from organizations.models import Organization
from registrations import rules
from registrations.models import (
    PerformanceYear,
    Program,
    ProgramStatus,
    Registration,
)
from registrations.selectors import find_registration, registrations_by_organization, tab_of

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


# What a row shows of its organization (and the rules read: kind, aco_type): the list reads only
# these, ``organizations.only(*ROW_ORGANIZATION_FIELDS)``.
ROW_ORGANIZATION_FIELDS = (
    "name",
    "kind",
    "identifier",
    "apm_identifier",
    "aco_type",
    "parent",
    "parent__name",
    "parent__kind",
    "parent__identifier",
)
# What a row shows of its registration: the status, the state (size) and the ID.
ROW_REGISTRATION_FIELDS = ("organization", "registration_id", "cahps_status", "size")


def cahps_rows(*, organizations, year, window_open):
    """Rows of one page of the CAHPS list: the page's registrations in one query."""
    organizations = list(organizations)
    registrations = registrations_by_organization(
        organizations=organizations, year=year, fields=ROW_REGISTRATION_FIELDS
    )
    # The rules look at an organization's kind and ACO participation only: a page of practices
    # is decided once, not once a row.
    decisions = {}
    for organization in organizations:
        key = (organization.kind, organization.aco_type)
        if key not in decisions:
            decisions[key] = cahps_decision(organization=organization, year=year)
    return [
        _cahps_row(
            organization=organization,
            year=year,
            registration=registrations.get(organization.pk),
            window_open=window_open,
            decision=decisions[organization.kind, organization.aco_type],
        )
        for organization in organizations
    ]


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
