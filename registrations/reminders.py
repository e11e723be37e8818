"""Deadline reminders: e-mail before a registration window closes.

At each configured number of days before a window closes (``QPP_REMINDER_DAYS``,
default 14, 3 and 1) at ``QPP_REMINDER_HOUR`` ET (10 a.m.), the Security Officials and
contacts of two kinds of organization are reminded:

- those whose registration for the year is started but not complete, and
- those registered last year but not yet this year.

Each organization gets each reminder once: the ``DeadlineReminder`` row, unique per
organization, year and offset, is written in the same transaction as the queued
messages, so a second scheduler or a task run twice finds it and sends nothing.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from organizations.authorization import is_security_official
from organizations.models import Role
from qpp_registration.core.eastern import format_eastern
from qpp_registration.core.emails import Recipient
from qpp_registration.core.links import portal_url
from registrations import rules
from registrations.emails import contact_recipients, notify_deadline_reminder
from registrations.models import (
    DeadlineReminder,
    PerformanceYear,
    ProgramStatus,
    Registration,
    ReminderOptOut,
)

EASTERN = ZoneInfo("America/New_York")


def reminder_moments(year, *, days=None, hour=None):
    """Each reminder of ``year``, as (days before closing, the moment it is due), earliest first:
    ``QPP_REMINDER_HOUR`` ET on each ``QPP_REMINDER_DAYS`` day before the closing day, inside the
    window only."""
    days = settings.QPP_REMINDER_DAYS if days is None else days
    hour = settings.QPP_REMINDER_HOUR if hour is None else hour
    closing_day = timezone.localtime(year.window_closes, EASTERN).date()
    moments = []
    for offset in sorted(set(days), reverse=True):
        moment = datetime.combine(closing_day - timedelta(days=offset), time(hour), tzinfo=EASTERN)
        if year.window_opens <= moment < year.window_closes:
            moments.append((offset, moment))
    return moments


def due_days(year, now, *, days=None, hour=None):
    """The offset (days before closing) whose reminder is due at ``now``, or None.

    Only the latest offset whose moment has passed is due, so a scheduler that was
    down for a while sends one reminder, not a burst of stale ones; a moment before
    the window opened sends nothing.
    """
    if not (year.window_opens <= now < year.window_closes):
        return None
    due = None
    for offset, moment in reminder_moments(year, days=days, hour=hour):
        if moment <= now:
            due = offset
    return due


def still_to_register(registration):
    """Whether this year's ``registration`` leaves its organization to be reminded: registered
    for nothing yet, or its CAHPS registration Incomplete."""
    return not registration.is_registered_for_any or registration.cahps_status == ProgramStatus.INCOMPLETE


@dataclass(frozen=True)
class Target:
    organization: object
    registration: object  # this year's, or None
    last_year: object  # last year's registration, when the organization registered then
    missing: str
    standing: str  # what the e-mail says of each program, after the organization's name


def targets(year):
    """Organizations to remind for ``year``, with what each still has to do."""
    this_year = {
        r.organization_id: r
        for r in Registration.objects.filter(performance_year=year)
        .select_related("organization")
        .prefetch_related("contacts")
    }
    found = []
    for registration in this_year.values():
        if not still_to_register(registration):
            continue
        organization = registration.organization
        found.append(
            Target(
                organization,
                registration,
                None,
                _missing(year, registration),
                standing(year, organization=organization, registration=registration),
            )
        )
    last_year = (
        Registration.objects.filter(performance_year__year=year.year - 1)
        .exclude(organization_id__in=[pk for pk, r in this_year.items() if r.is_registered_for_any])
        .exclude(organization_id__in=[t.organization.pk for t in found])
        .select_related("organization")
        .prefetch_related("contacts")
    )
    for registration in last_year:
        if registration.is_registered_for_any:
            missing = (
                f"{registration.organization.name} registered for performance year {year.year - 1} "
                f"but has not registered for {year.year}."
            )
            organization = registration.organization
            found.append(
                Target(
                    organization,
                    None,
                    registration,
                    missing,
                    standing(year, organization=organization, registration=None),
                )
            )
    return sorted(found, key=lambda target: (target.organization.name, target.organization.pk))


def standing(year, *, organization, registration):
    """What a reminder says of ``organization``'s programs in ``year``, after its name: each program
    the year offers is registered, or still to register where the organization can register it
    (``rules.program_eligibility``); a program it cannot register is not mentioned.
    ``registration``: its registration for ``year``, or None.

    A CAHPS-only year keeps "is not registered yet": its What is missing says Complete or
    Incomplete."""
    if year.is_cahps_only:
        return "is not registered yet."
    registered, to_register = _programs(year, organization=organization, registration=registration)
    registered_words = " and ".join(f"the {program.label}" for program in registered)
    to_register_words = " or ".join(f"the {program.label}" for program in to_register)
    if registered and to_register:
        verb = "is" if len(to_register) == 1 else "are"
        return f"is registered for {registered_words}; {to_register_words} {verb} not registered."
    if registered:
        return f"is registered for {registered_words}."
    if to_register:
        return f"is not registered for {to_register_words} yet."
    return "is not registered yet."


def _programs(year, *, organization, registration):
    """``year``'s programs that ``registration`` is registered for, and those still to register
    that ``organization`` can register: at its size, or at some size while none is chosen."""
    size = registration.size if registration is not None else ""
    registered, to_register = [], []
    for program in year.programs:
        if registration is not None and registration.status_for(program) == ProgramStatus.REGISTERED:
            registered.append(program)
        elif size:
            if rules.program_eligibility(program, organization=organization, year=year, size=size):
                to_register.append(program)
        elif rules.allowed_sizes(program, organization=organization, year=year):
            to_register.append(program)
    return registered, to_register


def _missing(year, registration):
    contacts = list(registration.contacts.all())
    problems = []
    if not registration.size:
        problems.append("Choose the organization size.")
    readiness = rules.submission_readiness(organization=registration.organization, contacts=contacts)
    if not readiness:
        problems.append(readiness.reason)
    if year.is_cahps_only:
        problems.append("The CAHPS for MIPS Survey registration is Incomplete until both are done.")
        return " ".join(problems)
    _, to_register = _programs(year, organization=registration.organization, registration=registration)
    if len(to_register) == 1:
        step = f"select Register for the {to_register[0].label}."
    else:
        step = "choose a program and select Register."
    problems.append(f"Then {step}" if problems else step[0].upper() + step[1:])
    return " ".join(problems)


def recipients(target):
    """Security Officials and contacts, one message per address, less those who opted out."""
    opted_out = {
        email.lower()
        for email in ReminderOptOut.objects.filter(organization=target.organization).values_list(
            "user__email", flat=True
        )
        if email
    }
    officials = [
        Recipient(name=role.user.get_full_name() or role.user.username, email=role.user.email)
        for role in Role.objects.filter(
            organization=target.organization, kind=Role.Kind.SECURITY_OFFICIAL, user__is_active=True
        ).select_related("user")
        if role.user.email
    ]
    registration = target.registration or target.last_year
    everyone = officials + contact_recipients(registration.contacts.all())
    seen = set()
    result = []
    for recipient in everyone:
        address = recipient.email.lower()
        if address in seen or address in opted_out:
            continue
        seen.add(address)
        result.append(recipient)
    return result


def organization_url(year, organization):
    name = "cahps_registration" if year.is_cahps_only else "registration_detail"
    return portal_url(reverse(name, args=[year.year, organization.pk]))


def send_deadline_reminders(now=None):
    """Queue every reminder due now; returns how many organizations were reminded."""
    now = now or timezone.now()
    reminded = 0
    for year in PerformanceYear.objects.filter(window_opens__lte=now, window_closes__gt=now):
        days = due_days(year, now)
        if days is None:
            continue
        for target in targets(year):
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        reminder = DeadlineReminder.objects.create(
                            organization=target.organization, performance_year=year, days_before=days
                        )
                except IntegrityError:
                    continue  # already sent by another scheduler or an earlier run
                people = recipients(target)
                notify_deadline_reminder(
                    organization=target.organization,
                    year=year,
                    days=days,
                    missing=target.missing,
                    standing=target.standing,
                    link=organization_url(year, target.organization),
                    recipients=people,
                    event=f"{target.organization.pk}:{year.year}:{days}",
                )
                reminder.recipients = len(people)
                reminder.save(update_fields=["recipients"])
            reminded += 1
    return reminded


# --- What an organization's page says of them -----------------------------------------------------


@dataclass(frozen=True)
class PageReminders:
    """The deadline-reminder box of an organization's page (``templates/registrations/_reminders.html``)."""

    situation: str  # "While <organization> is not registered for performance year 2021"
    days: tuple  # the days before closing whose reminders are still to come, e.g. (3, 1)
    closes: str  # when the window closes, ET

    @property
    def days_text(self):
        """ "14, 3 and 1 days", "1 day"."""
        numbers = [str(days) for days in self.days]
        joined = numbers[0] if len(numbers) == 1 else f"{', '.join(numbers[:-1])} and {numbers[-1]}"
        return f"{joined} day{'' if self.days == (1,) else 's'}"


def page_reminders(*, organization, year, registration, now):
    """What ``organization``'s page for ``year`` says of its deadline reminders, or None where none
    would be sent: no reminder moment is left before the window closes, or ``targets`` would not
    pick the organization. ``registration``: its registration for ``year``, or None (then last
    year's is read, as ``targets`` reads it)."""
    days = tuple(offset for offset, moment in reminder_moments(year) if moment > now)
    if not days:
        return None
    name = organization.name
    if registration is not None:
        if not still_to_register(registration):
            return None
        if year.is_cahps_only or registration.cahps_status == ProgramStatus.INCOMPLETE:
            situation = f"While the CAHPS for MIPS Survey registration of {name} is not Complete"
        else:
            situation = f"While {name} is not registered for performance year {year.year}"
    elif _registered_last_year(organization, year):
        situation = (
            f"{name} registered for performance year {year.year - 1}. While it is not registered for "
            f"{year.year}"
        )
    else:
        return None
    return PageReminders(situation=situation, days=days, closes=format_eastern(year.window_closes))


def _registered_last_year(organization, year):
    last_year = Registration.objects.filter(
        organization=organization, performance_year__year=year.year - 1
    ).first()
    return last_year is not None and last_year.is_registered_for_any


# --- A Security Official's choice ----------------------------------------------------------------


def reminder_preference_set(*, user, organization, receive):
    """Turn ``user``'s deadline reminders about ``organization`` on or off (registrations.reminders).

    Only the user's own messages change: the organization's other Security Officials
    and contacts keep theirs.
    """
    if not is_security_official(user, organization):
        raise PermissionDenied("Only the organization's Security Officials choose its reminders.")
    with transaction.atomic():
        if receive:
            for opt_out in ReminderOptOut.objects.filter(user=user, organization=organization):
                opt_out._change_reason = "Deadline reminders turned on"
                opt_out.delete()
        elif not ReminderOptOut.objects.filter(user=user, organization=organization).exists():
            opt_out = ReminderOptOut(user=user, organization=organization)
            opt_out._change_reason = "Deadline reminders turned off"
            opt_out.save()


def receives_reminders(*, user, organization):
    return not ReminderOptOut.objects.filter(user=user, organization=organization).exists()
