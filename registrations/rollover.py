"""Automatic Web Interface registration: year N's submitters registered for year N+1
[2020 §I Who needs to register; 2021 #6], by the scheduler when a year's window opens
(``registrations.tasks``), by ``manage.py rollover_web_interface`` or by staff in admin.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from contacts.models import Contact
from organizations.authorization import is_service_center_staff
from organizations.models import Organization
from qpp_registration.core.exceptions import RegistrationRefused
from qpp_registration.core.history import save_with_history
from registrations import rules
from registrations.models import (
    PerformanceYear,
    Program,
    ProgramStatus,
    Registration,
    Source,
)


@dataclass(frozen=True)
class RolloverResult:
    """What a roll-over did (or, in a dry run, would do)."""

    from_year: int
    to_year: int
    dry_run: bool
    candidates: int  # year N registrations that submitted data through the Web Interface
    registered: int  # year N+1 registrations created (would be created, in a dry run)
    already_registered: int  # skipped: the organization already has a year N+1 registration
    not_eligible: int  # skipped: the rules refuse the Web Interface in year N+1
    registration_ids: tuple[str, ...] = ()


def _performance_year(year):
    if isinstance(year, PerformanceYear):
        return year
    try:
        return PerformanceYear.objects.get(year=year)
    except PerformanceYear.DoesNotExist:
        raise RegistrationRefused(f"Performance year {year} is not configured.") from None


def rollover_web_interface_registrations(*, from_year, to_year, by=None, dry_run=False, now=None):
    """Register year N's Web Interface submitters automatically for year N+1.

    [2020 §I Who needs to register; 2021 #6]: practices and virtual groups that
    submitted quality data through the Web Interface are registered for the next
    year, with their size and contacts carried over; the Security Official can
    then edit or cancel it. Runs before the window opens, so it checks no window
    and sends no e-mail. Organizations that already have a year N+1 registration
    (even a cancelled one) are left alone, so running it twice creates nothing new.
    ``by`` is the staff member who ran it from admin, or None for the command.
    """
    now = now or timezone.now()
    if by is not None and not is_service_center_staff(by):
        raise PermissionDenied("Only CMS staff can roll over Web Interface registrations.")
    from_year = _performance_year(from_year)
    to_year = _performance_year(to_year)
    if to_year.year != from_year.year + 1:
        raise RegistrationRefused(
            "Automatic registration rolls one performance year into the next: choose years N and N+1."
        )

    previous = (
        # The rule decides; the filter only spares loading the registrations it would drop.
        Registration.objects.filter(performance_year=from_year, submitted_web_interface_data=True)
        .select_related("organization")
        .prefetch_related("contacts")
        .order_by("organization__name", "pk")
    )
    candidates = rules.web_interface_rollover_candidates(previous)
    already_registered = not_eligible = 0
    created = []
    with transaction.atomic():
        for old in candidates:
            organization = old.organization
            decision = rules.program_eligibility(
                Program.WEB_INTERFACE, organization=organization, year=to_year, size=old.size
            )
            if not decision:
                not_eligible += 1
                continue
            if not dry_run:
                Organization.objects.select_for_update().order_by().get(pk=organization.pk)
            if Registration.objects.filter(organization=organization, performance_year=to_year).exists():
                already_registered += 1
                continue
            if dry_run:
                created.append(None)
                continue
            created.append(_roll_over(old=old, to_year=to_year, by=by, now=now))
    return RolloverResult(
        from_year=from_year.year,
        to_year=to_year.year,
        dry_run=dry_run,
        candidates=len(candidates),
        registered=len(created),
        already_registered=already_registered,
        not_eligible=not_eligible,
        registration_ids=tuple(r.registration_id for r in created if r is not None),
    )


def _roll_over(*, old, to_year, by, now):
    registration = Registration(
        organization=old.organization,
        performance_year=to_year,
        size=old.size,
        web_interface_status=ProgramStatus.REGISTERED,
        web_interface_source=Source.AUTOMATIC,
        web_interface_registered_at=now,
        web_interface_registered_by=by,
    )
    save_with_history(
        registration,
        by=by,
        reason=f"Automatically registered for the CMS Web Interface ({old.registration_id} submitted data)",
    )
    for contact in old.contacts.all():
        copy = Contact(
            registration=registration,
            first_name=contact.first_name,
            last_name=contact.last_name,
            email=contact.email,
            phone=contact.phone,
        )
        save_with_history(copy, by=by, reason=f"Carried over from registration {old.registration_id}")
    return registration
