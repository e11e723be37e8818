"""What *Register many at once* (``registrations.bulk_registration``) shows before and after it
writes: each organization's outcome under the year's rules before anything is registered
(``review_for``, ``review``), how far a run has got (``progress``) and its result (``results``).

A year with the CMS Web Interface [2020/2021] registers the programs chosen, once the organization
information and a complete contact are there. A CAHPS-only year [2023] registers the CAHPS for
MIPS Survey only, whatever the size [2023 §I], and needs no organization information: its CAHPS
status is Complete once the registration has its size and a complete contact [2023 §IV.3]. The
rules decide both (``registrations.rules``); this module only asks them.
"""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from contacts.models import FIELDS as CONTACT_FIELDS
from contacts.models import Contact
from registrations import rules
from registrations.models import (
    BulkRegistration,
    BulkRegistrationItem,
    Program,
    ProgramStatus,
    Registration,
    Size,
)
from registrations.register_again import started

Outcome = BulkRegistrationItem.Outcome

# A CAHPS-only year's registration counts once it is Complete [2023 §IV.3]: a contact that lacks a
# field would leave it Incomplete, so the organization is not registered that way.
CAHPS_NEEDS_A_COMPLETE_CONTACT = (
    "Add at least one contact with a first name, last name, phone number and email address: the CAHPS "
    "registration is Complete only with one."
)


@dataclass(frozen=True)
class Review:
    """What *Register* would do for one organization."""

    organization: object
    size: str
    outcome: str  # an Outcome value: REGISTERED (it will be), AUTOMATIC or REFUSED
    programs: tuple = ()  # the Program values it will be registered for
    left_out: tuple = ()  # (Program, reason) of the programs asked for that it will not get
    reason: str = ""  # why nothing is registered (AUTOMATIC, REFUSED)

    @property
    def size_label(self):
        return Size(self.size).label if self.size else ""

    @property
    def program_labels(self):
        return [Program(program).label for program in self.programs]


def already_said(organization, current, year):
    """Why an organization whose registration for ``year`` has something of its own already is
    left to its own page."""
    if year.is_cahps_only:
        if current.cahps_status == ProgramStatus.NOT_REGISTERED:  # deleted, or started by hand
            return (
                f"{organization.name} already has a registration for performance year {year.year} "
                f"(registration ID {current.registration_id}): register it again or finish it on its own "
                "page."
            )
        status = rules.status_label(year, current.cahps_status)
        return (
            f"{organization.name} already has a CAHPS for MIPS Survey registration for performance year "
            f"{year.year} (registration ID {current.registration_id}, {status}): change it on its own page."
        )
    if current.is_registered_for_any:
        return (
            f"{organization.name} is already registered for performance year {year.year} "
            f"(registration ID {current.registration_id})."
        )
    return (
        f"{organization.name} already has a registration for performance year {year.year} "
        f"(registration ID {current.registration_id}): finish or change it on its own page."
    )


def contacts_of(contacts):
    """Unsaved ``Contact`` rows of the contacts' dicts, for the rules to read."""
    return [Contact(**{name: person.get(name, "") for name in CONTACT_FIELDS}) for person in contacts]


def review_for(*, organization, current, year, size, programs, contacts):
    """What registering ``organization`` at ``size`` for ``programs`` with ``contacts`` (dicts of
    the contact fields) would do in ``year``; ``current``: its registration for the year, with its
    contacts, or None. Asks the rules only."""
    if started(current):
        return Review(organization, size, Outcome.REFUSED, reason=already_said(organization, current, year))
    allowed, left_out, automatic = [], [], []
    for program in programs:
        decision = rules.program_eligibility(program, organization=organization, year=year, size=size)
        if decision:
            allowed.append(Program(program))
        else:
            (automatic if decision.automatic else left_out).append((Program(program), decision.reason))
    if not allowed:
        reason = " ".join(reason for _, reason in [*automatic, *left_out])
        outcome = Outcome.AUTOMATIC if automatic and not left_out else Outcome.REFUSED
        return Review(organization, size, outcome, left_out=tuple(automatic + left_out), reason=reason)
    people = contacts_of(contacts)
    if year.is_cahps_only:
        # [2023 §IV.3]: no organization information; Complete with the size and a complete contact.
        if rules.cahps_completion_status(size=size, contacts=people) != ProgramStatus.REGISTERED:
            return Review(organization, size, Outcome.REFUSED, reason=CAHPS_NEEDS_A_COMPLETE_CONTACT)
    else:
        readiness = rules.submission_readiness(organization=organization, contacts=people)
        if not readiness:
            return Review(organization, size, Outcome.REFUSED, reason=readiness.reason)
    return Review(organization, size, Outcome.REGISTERED, tuple(allowed), tuple(automatic + left_out))


def _current_registrations(year, organizations):
    """{organization id: its registration for ``year`` with its contacts}: two queries."""
    return {
        registration.organization_id: registration
        for registration in Registration.objects.filter(
            performance_year=year, organization__in=organizations
        ).prefetch_related(Prefetch("contacts", queryset=Contact.objects.order_by("pk")))
    }


def review(bulk):
    """``(item, Review)`` for each item of a draft ``bulk``, by organization name: three queries,
    whatever the number of organizations."""
    items = list(bulk.items.select_related("organization").order_by("organization__name", "organization__pk"))
    current = _current_registrations(bulk.performance_year, bulk.items.values("organization"))
    return [
        (
            item,
            review_for(
                organization=item.organization,
                current=current.get(item.organization_id),
                year=bulk.performance_year,
                size=item.size,
                programs=bulk.programs,
                contacts=bulk.contacts,
            ),
        )
        for item in items
    ]


@dataclass(frozen=True)
class Counts:
    total: int = 0
    registered: int = 0
    automatic: int = 0
    refused: int = 0

    @property
    def done(self):
        return self.registered + self.automatic + self.refused

    @property
    def percent(self):
        return round(100 * self.done / self.total) if self.total else 100


def counts_of(reviews):
    """The review's :class:`Counts` (``done`` counts what will be decided)."""
    outcomes = [each.outcome for _, each in reviews]
    return Counts(
        total=len(outcomes),
        registered=outcomes.count(Outcome.REGISTERED),
        automatic=outcomes.count(Outcome.AUTOMATIC),
        refused=outcomes.count(Outcome.REFUSED),
    )


def progress(bulk):
    """How far ``bulk`` has got: one query."""
    found = BulkRegistrationItem.objects.filter(bulk=bulk).aggregate(
        total=Count("pk"),
        registered=Count("pk", filter=Q(outcome=Outcome.REGISTERED)),
        automatic=Count("pk", filter=Q(outcome=Outcome.AUTOMATIC)),
        refused=Count("pk", filter=Q(outcome=Outcome.REFUSED)),
    )
    return Counts(**found)


def results(bulk):
    """Each item with its organization and registration, by organization name: one query."""
    return list(
        bulk.items.select_related("organization", "registration").order_by(
            "organization__name", "organization__pk"
        )
    )


def bulk_registrations_of(user, year, *, limit=5):
    """The user's latest registrations of many organizations for ``year``, each with its number
    of organizations (``item_count``) and of those decided (``done_count``): one query."""
    return list(
        BulkRegistration.objects.filter(user=user, performance_year=year)
        .annotate(
            item_count=Count("items"),
            done_count=Count("items", filter=~Q(items__outcome=Outcome.PENDING)),
        )
        .order_by("-created_at", "-pk")[:limit]
    )
