"""Every single state change of a registration: register, cancel, change size, record a
Web Interface submission or a sampling result. Several of them in one transaction are a
workflow (``registrations.workflows``); the roll-over is ``registrations.rollover``, the
organization information and contacts ``registrations.detail_services``.

Each service is one state change (HackSoft style: keyword-only arguments, the
acting user as ``by``). In order it

1. authorizes the actor: a Security Official of the organization, or CMS staff
   acting for the QPP Service Center (``PermissionDenied`` otherwise);
2. asks ``registrations.rules`` — the registration window first, then the
   program rules — and raises :class:`RegistrationRefused` with the rule's
   reason when one says no;
3. opens one transaction, locks what it changes (``select_for_update``), writes,
   and records the acting user in the history (django-simple-history);
4. schedules the e-mails, which leave only after the transaction commits.

The window binds staff too: the QPP Service Center completes subgroup
registrations "by June 30, 2023, at 8 p.m. ET when the CAHPS for MIPS Survey
registration period closes" [2023 §I], so a Service Center write outside the
window is refused like anyone else's. Two things run outside the window by
nature: marking that an organization submitted quality data through the Web
Interface (that happens after the performance year) and the automatic
roll-over (it happens before the window opens) [2020 §I Who needs to register].
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from organizations.authorization import authorize, is_service_center_staff
from organizations.models import Organization
from qpp_registration.core.exceptions import ConfirmationRequired, RegistrationRefused
from qpp_registration.core.history import delete_with_history, save_with_history
from qpp_registration.core.transactions import service_transaction
from registrations import emails, rules
from registrations.models import (
    Program,
    ProgramStatus,
    Registration,
    SamplingNotice,
    SamplingOutcome,
    Size,
    Source,
)

# --- Who may act ------------------------------------------------------------------------------------


def require_open_window(year, now):
    """Refuse any write to ``year``'s registrations outside its window [2020 §III, §V, §VII]."""
    decision = rules.window_decision(year, now)
    if not decision:
        raise RegistrationRefused(decision.reason)


# --- Locking ----------------------------------------------------------------------------------------


def lock_registration(registration):
    """Re-read ``registration`` under a row lock; the caller must be inside a transaction.

    ``of=("self",)`` keeps the lock on the registration row alone, so the
    organization and the performance year stay free for everyone else.
    """
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("organization", "performance_year")
        .get(pk=registration.pk)
    )


def _lock_or_create_registration(*, organization, year, by, size=""):
    """The organization-year's registration, locked; created (with its ID, and ``size`` when
    given) if missing.

    A registration that exists is locked alone, read with its organization as it is now (the
    rules read its latest address). To create one, the organization row is locked first, so
    two Security Officials starting it at once queue up there and the second one finds the
    first one's registration instead of creating another [SPEC §8].
    """

    locked = Registration.objects.select_for_update(of=("self",)).order_by()
    mine = {"organization": organization, "performance_year": year}

    registration = locked.select_related("organization").filter(**mine).first()
    if registration is not None:
        registration.performance_year = year
        return registration
    organization = Organization.objects.select_for_update().order_by().get(pk=organization.pk)
    registration = locked.filter(**mine).first()  # another may have created it meanwhile
    if registration is None:
        registration = Registration(organization=organization, performance_year=year)
        reason = f"Registration started for performance year {year.year}"
        if size:
            change = rules.size_change(registration=registration, new_size=size)
            if not change:
                raise RegistrationRefused(change.reason, field="size")
            registration.size = size
            reason += f" with organization size {Size(size).label}"
        save_with_history(registration, by=by, reason=reason)
    registration.organization = organization
    registration.performance_year = year
    return registration


def _clear_program(registration, program):
    prefix = Program(program).value
    setattr(registration, f"{prefix}_status", ProgramStatus.NOT_REGISTERED)
    setattr(registration, f"{prefix}_source", Source.NONE)
    setattr(registration, f"{prefix}_registered_at", None)
    setattr(registration, f"{prefix}_registered_by", None)


def recompute_cahps_completion(registration, contacts):
    """In a CAHPS-only year, set the CAHPS status to Complete or Incomplete from the
    size and ``contacts`` [2023 §IV.3, §VI]. Call under the registration lock;
    returns True when the status changed (the caller saves)."""
    year = registration.performance_year
    if not year.is_cahps_only or registration.cahps_status == ProgramStatus.NOT_REGISTERED:
        return False
    status = rules.cahps_completion_status(size=registration.size, contacts=contacts)
    if status == registration.cahps_status:
        return False
    registration.cahps_status = status
    return True


def notify_modified(*, registration, changes, was_registered, contacts):
    """E-mail the contacts of a registered 2020/2021-style registration that it changed
    [2020 §II Prepare: "all contacts will be notified by e-mail when a registration is
    submitted, modified, or cancelled"]."""
    if changes and was_registered and registration.performance_year.sends_confirmation_emails:
        emails.notify_registration_modified(
            registration=registration, changes=changes, recipients=emails.contact_recipients(contacts)
        )


# --- Services ---------------------------------------------------------------------------------------


def registration_get_or_create(*, organization, year, by, size="", now=None):
    """The one registration of ``organization`` for ``year``, created on first use, locked.

    Its registration ID is generated once, here, and never changes [2020 §IV.8].
    Starting a registration is a write, so it needs the window open. ``size``: what a
    registration created here starts with, so that *Register* with a size starts it in one
    row and one history entry (an existing registration keeps its own: change it with
    ``registration_change_size``).
    """
    now = now or timezone.now()
    authorize(by=by, organization=organization)
    require_open_window(year, now)
    with service_transaction():
        return _lock_or_create_registration(organization=organization, year=year, by=by, size=size)


def registration_submit(*, organization, year, program, size, by, source=Source.SECURITY_OFFICIAL, now=None):
    """Register ``organization`` for ``program`` in ``year`` [2020 §IV; 2023 §IV].

    ``size`` (a :class:`Size` value, or "" to keep the stored one) is set first.
    In 2020/2021-style years the organization information and one complete
    contact are required; in a CAHPS-only year the registration starts as
    Incomplete and becomes Complete once it has a size and a complete contact.
    Re-registering after a cancellation keeps the registration ID. The QPP
    Service Center (``source=Source.SERVICE_CENTER``, CMS staff) may also register
    subgroups, which cannot register themselves [2023 §I].
    """
    now = now or timezone.now()
    program = Program(program)
    source = Source(source)
    if source not in (Source.SECURITY_OFFICIAL, Source.SERVICE_CENTER):
        raise PermissionDenied("Only the automatic roll-over registers organizations automatically.")
    authorize(by=by, organization=organization, source=source)
    require_open_window(year, now)

    with service_transaction():
        registration = _lock_or_create_registration(organization=organization, year=year, by=by)
        organization = registration.organization  # as read under the lock: its latest address
        if registration.status_for(program) != ProgramStatus.NOT_REGISTERED:
            already = (
                f"already has a {program.label} registration"
                if year.is_cahps_only
                else f"is already registered for the {program.label}"
            )
            raise RegistrationRefused(
                f"{organization.name} {already} for performance year {year.year} "
                f"(registration ID {registration.registration_id})."
            )
        if size and size != registration.size:
            change = rules.size_change(registration=registration, new_size=size)
            if not change:
                raise RegistrationRefused(change.reason, field="size")
            if change.cancels_web_interface:
                # Cancelling the Web Interface needs its own confirmation step [2020 §V].
                raise RegistrationRefused(
                    f"{change.reason} Change the organization size on the registration page first.",
                    field="size",
                )
            registration.size = size

        decision = rules.program_eligibility(
            program, organization=organization, year=year, size=registration.size
        )
        if not decision and not (decision.service_center and source == Source.SERVICE_CENTER):
            field = "size" if decision.reason == rules.SELECT_SIZE_FIRST else None
            raise RegistrationRefused(decision.reason, field=field)

        contacts = list(registration.contacts.all())
        if year.is_cahps_only and program == Program.CAHPS:
            status = rules.cahps_completion_status(size=registration.size, contacts=contacts)
        else:
            readiness = rules.submission_readiness(organization=organization, contacts=contacts)
            if not readiness:
                raise RegistrationRefused(readiness.reason)
            status = ProgramStatus.REGISTERED

        prefix = program.value
        setattr(registration, f"{prefix}_status", status)
        setattr(registration, f"{prefix}_source", source)
        setattr(registration, f"{prefix}_registered_at", now)
        setattr(registration, f"{prefix}_registered_by", by)
        save_with_history(registration, by=by, reason=f"Registered for the {program.label}")

        if status == ProgramStatus.REGISTERED and year.sends_confirmation_emails:
            emails.notify_registration_submitted(
                registration=registration, program=program, recipients=emails.contact_recipients(contacts)
            )
    return registration


def registration_cancel(*, registration, program, by, now=None):
    """Cancel (2020/2021) or delete (2023) one program's registration [2020 §VII; 2023 §VII].

    The registration keeps its ID and its contacts, so the organization can
    re-register inside the window. An automatic registration can be cancelled
    like any other [2020 §I Who needs to register].
    """
    now = now or timezone.now()
    program = Program(program)
    year = registration.performance_year
    authorize(by=by, organization=registration.organization)
    require_open_window(year, now)

    with service_transaction():
        registration = lock_registration(registration)
        status = registration.status_for(program)
        if status == ProgramStatus.NOT_REGISTERED:
            raise RegistrationRefused(
                f"{registration.organization.name} is not registered for the {program.label} for "
                f"performance year {year.year}."
            )
        _clear_program(registration, program)
        verb = "Deleted" if year.is_cahps_only else "Cancelled"
        save_with_history(registration, by=by, reason=f"{verb} the {program.label} registration")

        if status == ProgramStatus.REGISTERED and year.sends_confirmation_emails:
            emails.notify_registration_cancelled(
                registration=registration,
                program=program,
                recipients=emails.contact_recipients(registration.contacts.all()),
            )
    return registration


def registration_discard_start(*, registration, by, now=None):
    """Delete a CAHPS registration that has its ID but no size yet [2023 §III.8: "You may
    delete the CAHPS registration at any time during the registration process"]. Nothing
    but contacts was saved, so the contacts go; the row keeps the registration ID for the
    next *Register Group for CAHPS* [2023 §VII]."""
    now = now or timezone.now()
    authorize(by=by, organization=registration.organization)
    require_open_window(registration.performance_year, now)
    with service_transaction():
        registration = lock_registration(registration)
        if registration.cahps_status != ProgramStatus.NOT_REGISTERED or registration.size:
            raise RegistrationRefused(
                f"The CAHPS registration of {registration.organization.name} has started: delete it instead."
            )
        for contact in registration.contacts.all():
            delete_with_history(contact, by=by, reason="Registration deleted before it started")
        save_with_history(
            registration, by=by, reason="Deleted the CAHPS for MIPS Survey registration before it started"
        )
    return registration


def registration_change_size(*, registration, size, by, confirm_web_interface_cancellation=False, now=None):
    """Change the organization size [2020 §IV.4, §V; 2023 §V].

    Moving to 2–24 while registered for the Web Interface raises
    :class:`ConfirmationRequired` with the warning to show; called again with
    ``confirm_web_interface_cancellation=True`` it cancels the Web Interface
    registration in the same transaction [2020 §V Update Organization Size].
    """
    now = now or timezone.now()
    authorize(by=by, organization=registration.organization)
    require_open_window(registration.performance_year, now)

    with service_transaction():
        registration = lock_registration(registration)
        change = rules.size_change(registration=registration, new_size=size)
        if not change:
            raise RegistrationRefused(change.reason, field="size")
        if size == registration.size:
            return registration
        if change.cancels_web_interface and not confirm_web_interface_cancellation:
            raise ConfirmationRequired(change.warning, field="size")

        was_registered = registration.is_registered_for_any
        registration.size = size
        changes = [f"Organization size changed to {Size(size).label} clinicians."]
        if change.cancels_web_interface:
            _clear_program(registration, Program.WEB_INTERFACE)
            changes.append(
                f"The CMS Web Interface registration was cancelled: {rules.WEB_INTERFACE_SIZE_RULE}."
            )
        contacts = registration.contacts.all()  # read once, and only when the status or an e-mail needs them
        recompute_cahps_completion(registration, contacts)
        reason = f"Organization size changed to {Size(size).label}"
        if change.cancels_web_interface:
            reason += "; CMS Web Interface registration cancelled"
        save_with_history(registration, by=by, reason=reason)
        notify_modified(
            registration=registration, changes=changes, was_registered=was_registered, contacts=contacts
        )
    return registration


def registration_mark_web_interface_submitted(*, registration, by, submitted=True):
    """Record (staff only) whether the organization submitted quality data through the
    Web Interface; next year's automatic registration follows it [2020 §I].

    Data are submitted after the performance year, so no window applies.
    """
    if not is_service_center_staff(by):
        raise PermissionDenied("Only CMS staff can record a Web Interface data submission.")
    with service_transaction():
        registration = lock_registration(registration)
        if submitted and registration.web_interface_status != ProgramStatus.REGISTERED:
            raise RegistrationRefused(
                f"{registration.organization.name} is not registered for the CMS Web Interface for "
                f"performance year {registration.performance_year.year}, so it cannot have submitted "
                "quality data through it."
            )
        if registration.submitted_web_interface_data == submitted:
            return registration
        registration.submitted_web_interface_data = submitted
        reason = (
            "Recorded a quality data submission through the CMS Web Interface"
            if submitted
            else "Removed the record of a quality data submission through the CMS Web Interface"
        )
        save_with_history(registration, by=by, reason=reason)
    return registration


# --- Fall sampling notices ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SamplingResult:
    recorded: int  # new notices, their contacts e-mailed
    already_recorded: int  # in an earlier upload: nothing sent again


def sampling_notices_record(*, registrations, outcome, file_name, by):
    """Record a sampling outcome on each registration and e-mail its contacts, all in one
    transaction [2020 "Is it possible for my organization to be unable to report through the
    CMS Web Interface?"; "…administer the CAHPS for MIPS Survey?"].

    A registration that already has this outcome is left alone and nobody is e-mailed again,
    so uploading the same file twice sends nothing twice.
    """
    if not is_service_center_staff(by):
        raise PermissionDenied("Only CMS staff record sampling results.")
    outcome = SamplingOutcome(outcome)
    recorded = already = 0
    with service_transaction():
        for registration in registrations:
            registration = lock_registration(registration)
            if SamplingNotice.objects.filter(registration=registration, outcome=outcome).exists():
                already += 1
                continue
            notice = SamplingNotice(
                registration=registration, outcome=outcome, file_name=file_name, recorded_by=by
            )
            save_with_history(notice, by=by, reason=f"Sampling result uploaded in {file_name}")
            emails.notify_sampling_notice(
                registration=registration,
                outcome=outcome,
                recipients=emails.contact_recipients(registration.contacts.all()),
            )
            recorded += 1
    return SamplingResult(recorded=recorded, already_recorded=already)
