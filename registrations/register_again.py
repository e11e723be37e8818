"""*Register as last year*: an organization registered in the previous performance year is
registered again the same way, with the same programs where this year's rules still allow
them, the same organization size and the same contacts.

The Security Official reviews what each organization would get, selects one or several
and presses *Register* once. Each organization is registered whole or not at all, in a
savepoint of its own: one refused (its window, its rules, a colleague who registered it
meanwhile) leaves the others registered and has its own reason. The steps are the portal's
own services (``registration_get_or_create``, ``contact_add``, ``registration_submit``),
so the rules, the history and the e-mails are the same as registering by hand
[2020 §IV.1–9; 2023 §IV].
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, FilteredRelation, OuterRef, Prefetch, Q
from django.utils import timezone

from contacts.models import FIELDS as CONTACT_FIELDS
from contacts.models import Contact
from qpp_registration.core.exceptions import RegistrationRefused
from registrations import rules
from registrations.detail_services import contact_add
from registrations.models import Program, ProgramStatus, Registration, Size
from registrations.selectors import performance_years, security_official_organizations, year_before
from registrations.services import registration_get_or_create, registration_submit, require_open_window


@dataclass(frozen=True)
class Plan:
    """What *Register as last year* would do for one organization."""

    organization: object
    last: Registration  # the previous year's registration
    programs: tuple = ()  # Program values this year's rules allow again
    skipped: tuple = ()  # (Program, reason) of last year's programs this year refuses
    contacts: tuple = ()  # the previous year's contacts, copied as they are
    refusal: str = ""  # why the organization cannot be registered as last year at all

    @property
    def size_label(self):
        return Size(self.last.size).label if self.last.size else ""

    @property
    def program_labels(self):
        return [Program(program).label for program in self.programs]

    @property
    def last_program_labels(self):
        return [Program(program).label for program in _registered_programs(self.last)]


@dataclass
class Outcome:
    """What happened to one selected organization."""

    organization: object
    registration: Registration | None = None
    programs: list = field(default_factory=list)
    reason: str = ""

    @property
    def registered(self):
        return self.registration is not None


def previous_year(year):
    """The performance year before ``year`` that the portal has, or None."""
    return year_before(performance_years(), year)


def _offers(year, program):
    return getattr(year, f"offers_{Program(program).value}")


def _registered_programs(registration):
    return [program for program in Program if registration.status_for(program) == ProgramStatus.REGISTERED]


def registered_last_year(previous, *, through=""):
    """A registration of ``previous`` registered for a program: what *Register as last year* copies.
    ``through``: the lookup to the registration from the model filtered (``"registrations__"``)."""
    return Q(**{f"{through}performance_year": previous}) & (
        Q(**{f"{through}web_interface_status": ProgramStatus.REGISTERED})
        | Q(**{f"{through}cahps_status": ProgramStatus.REGISTERED})
    )


def started(registration):
    """Has this year's registration anything of its own (a program, a size, a contact)?"""
    return registration is not None and (
        registration.web_interface_status != ProgramStatus.NOT_REGISTERED
        or registration.cahps_status != ProgramStatus.NOT_REGISTERED
        or registration.size
        or bool(registration.contacts.all())
    )


def plan_for(*, organization, last, current, year):
    """The plan for ``organization``: ``last`` is its previous year's registration,
    ``current`` this year's (None when there is none yet)."""
    if started(current):
        return Plan(
            organization,
            last,
            refusal=(
                f"{organization.name} already has a registration for performance year {year.year} "
                f"(registration ID {current.registration_id}): finish or change it on its own page."
            ),
        )
    if not last.size:
        return Plan(organization, last, refusal=f"The {last.performance_year.year} registration has no size.")
    programs, skipped = [], []
    for program in _registered_programs(last):
        if not _offers(year, program):
            skipped.append((program, f"Performance year {year.year} does not offer the {program.label}."))
            continue
        decision = rules.program_eligibility(program, organization=organization, year=year, size=last.size)
        if decision:
            programs.append(program)
        else:
            skipped.append((program, decision.reason))
    contacts = tuple(last.contacts.all())
    refusal = ""
    if not programs:
        refusal = " ".join(reason for _, reason in skipped)
    elif not year.is_cahps_only:
        readiness = rules.submission_readiness(organization=organization, contacts=contacts)
        refusal = "" if readiness else readiness.reason
    return Plan(organization, last, tuple(programs), tuple(skipped), contacts, refusal)


def plans(*, user, year, previous):
    """A plan for each organization ``user`` is a Security Official of that was registered in
    ``previous`` (the year before ``year``, or None), those that can be registered first, each
    part by name: four queries, whatever the number of organizations."""
    if previous is None:
        return []
    organizations = security_official_organizations(user)
    last_registrations = (
        Registration.objects.filter(registered_last_year(previous), organization__in=organizations)
        .select_related("organization", "performance_year")
        .prefetch_related(Prefetch("contacts", queryset=Contact.objects.order_by("pk")))
        .order_by("organization__name", "organization__identifier")
    )
    last_registrations = list(last_registrations)
    current = {
        registration.organization_id: registration
        for registration in Registration.objects.filter(
            performance_year=year, organization__in=[r.organization_id for r in last_registrations]
        ).prefetch_related("contacts")
    }
    every = [
        plan_for(
            organization=registration.organization,
            last=registration,
            current=current.get(registration.organization_id),
            year=year,
        )
        for registration in last_registrations
    ]
    return sorted(every, key=lambda plan: bool(plan.refusal))  # those that can be registered first


def offering(*, previous, year):
    """The condition on an organization (``OuterRef("pk")``) that offers *Register as last
    year*: registered in ``previous``, nothing yet for ``year``."""
    registered = Registration.objects.filter(registered_last_year(previous), organization=OuterRef("pk"))
    started = Registration.objects.filter(organization=OuterRef("pk"), performance_year=year)
    return Exists(registered) & ~Exists(started)


def last_year_join(previous):
    """An organization's registration of ``previous`` if it was registered, as a join, for counting
    offers over many organizations at once: annotated as ``last_year`` beside ``this_year`` (its
    registration of the year, ``selectors.year_registration``), ``OFFERED`` is ``offering``'s condition
    on the two. One registration per organization and year: the joins add no rows."""
    return FilteredRelation(
        "registrations", condition=registered_last_year(previous, through="registrations__")
    )


OFFERED = Q(last_year__isnull=False, this_year__isnull=True)


def offer_count(*, user, year, previous):
    """How many of ``user``'s organizations were registered in ``previous`` with nothing yet
    for ``year``: the banner's *Register as last year* count, in one query."""
    return security_official_organizations(user).filter(offering(previous=previous, year=year)).count()


def register_as_last_year(*, organization_ids, year, by, now=None):
    """Register each organization of ``organization_ids`` that ``by`` is a Security Official
    of as it was registered in the previous year; returns an :class:`Outcome` per organization
    (by name). An id of any other organization registers nothing and is answered by one
    refusal that names none of them. Each organization is one savepoint: whole or nothing."""
    now = now or timezone.now()
    require_open_window(year, now)
    previous = previous_year(year)
    wanted = set(organization_ids)
    organizations = list(security_official_organizations(by).filter(pk__in=wanted))
    outcomes = []
    for organization in organizations:
        try:
            with transaction.atomic():
                outcomes.append(
                    _register_one(organization=organization, year=year, previous=previous, by=by, now=now)
                )
        except RegistrationRefused as refusal:
            outcomes.append(Outcome(organization, reason=refusal.reason))
        except ValidationError as error:
            problems = " ".join(message for messages in error.message_dict.values() for message in messages)
            outcomes.append(
                Outcome(organization, reason=f"A contact from last year needs correcting: {problems}")
            )
    unknown = len(wanted - {organization.pk for organization in organizations})
    if unknown:
        outcomes.append(
            Outcome(
                None,
                reason=(
                    f"{unknown} selected organization{'s' if unknown > 1 else ''} "
                    "could not be registered: you are not a Security Official of "
                    f"{'them' if unknown > 1 else 'it'}."
                ),
            )
        )
    return outcomes


def _register_one(*, organization, year, previous, by, now):
    last = (
        Registration.objects.filter(registered_last_year(previous), organization=organization)
        .select_related("performance_year")
        .prefetch_related(Prefetch("contacts", queryset=Contact.objects.order_by("pk")))
        .first()
        if previous is not None
        else None
    )
    if last is None:
        raise RegistrationRefused(f"{organization.name} was not registered in the previous performance year.")
    current = (
        Registration.objects.select_for_update(of=("self",))
        .filter(organization=organization, performance_year=year)
        .prefetch_related("contacts")
        .first()
    )
    plan = plan_for(organization=organization, last=last, current=current, year=year)
    if plan.refusal:
        raise RegistrationRefused(plan.refusal)
    registration = registration_get_or_create(organization=organization, year=year, by=by, now=now)
    for contact in plan.contacts:
        contact_add(
            registration=registration,
            by=by,
            now=now,
            **{name: getattr(contact, name) for name in CONTACT_FIELDS},
        )
    size = last.size
    for program in plan.programs:
        registration = registration_submit(
            organization=organization, year=year, program=program, size=size, by=by, now=now
        )
        size = ""  # set with the first program; kept for the next
    return Outcome(organization, registration, [Program(program).label for program in plan.programs])
