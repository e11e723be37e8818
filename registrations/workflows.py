"""What happens when a button is pressed, read top to bottom: one service per workflow.

A workflow is a few state changes that stand or fall together, so each of these
keyword-only services owns one transaction around the single-change services of
``registrations.services`` and ``registrations.detail_services``: a refusal of any
step (``RegistrationRefused``, ``ValidationError``, ``PermissionDenied``) rolls back
the steps before it, and no empty registration or stray contact is left behind.
A view or an admin action calls one of these and turns the refusal into a message.
"""

from dataclasses import dataclass

from qpp_registration.core.transactions import workflow_transaction
from registrations import rules
from registrations.detail_services import contact_add
from registrations.models import Program, ProgramStatus, Source
from registrations.services import (
    registration_change_size,
    registration_get_or_create,
    registration_submit,
)


@dataclass(frozen=True)
class StartOutcome:
    registration: object  # Registration
    already_registered: bool = False  # nothing to do: the program was registered already
    carried_over: bool = False  # registered at once, from the other program's information


def registration_start(*, organization, year, program, size, by):
    """*Register* under a program on the main page [2020 §IV.1–2]: the registration (and its
    ID) exists from here on, with the chosen size.

    Registering the second program carries the organization information and the contacts
    over from the first, so it is registered at once [2020 §IV.9]; otherwise the Security
    Official goes on to Submit Registration.
    """
    program = Program(program)
    other = Program.CAHPS if program == Program.WEB_INTERFACE else Program.WEB_INTERFACE
    with workflow_transaction():
        registration = registration_get_or_create(organization=organization, year=year, by=by, size=size)
        if size != registration.size:
            registration = registration_change_size(registration=registration, size=size, by=by)
        if registration.status_for(program) == ProgramStatus.REGISTERED:
            return StartOutcome(registration, already_registered=True)
        carried_over = registration.status_for(other) == ProgramStatus.REGISTERED and bool(
            rules.submission_readiness(organization=organization, contacts=list(registration.contacts.all()))
        )
        if carried_over:
            registration = registration_submit(
                organization=organization, year=year, program=program, size="", by=by
            )
    return StartOutcome(registration, carried_over=carried_over)


def registration_size_set(*, organization, year, size, by, confirm_web_interface_cancellation=False):
    """*Edit* next to Size [2020 §V Update Organization Size], starting the registration if it
    has none yet. Returns ``(registration, web_interface_cancelled)``; ``ConfirmationRequired``
    when the change cancels the Web Interface registration and is not confirmed."""
    with workflow_transaction():
        registration = registration_get_or_create(organization=organization, year=year, by=by)
        was_web_interface = registration.web_interface_status == ProgramStatus.REGISTERED
        registration = registration_change_size(
            registration=registration,
            size=size,
            by=by,
            confirm_web_interface_cancellation=confirm_web_interface_cancellation,
        )
    cancelled = was_web_interface and registration.web_interface_status != ProgramStatus.REGISTERED
    return registration, cancelled


def registration_contact_add(
    *, organization, year, by, first_name, last_name, email, phone, submission_key=None
):
    """*Add New Contact*, or the first contact, which starts the registration [2020 §IV.6–7].
    Sent again with the form's ``submission_key``, it returns the contact it added (``contact_add``)."""
    with workflow_transaction():
        registration = registration_get_or_create(organization=organization, year=year, by=by)
        return contact_add(
            locked=True,
            registration=registration,
            by=by,
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=phone,
            submission_key=submission_key,
        )


def cahps_register(*, organization, year, by):
    """*Register Group for CAHPS* [2023 §III.7, §IV]: the registration and its ID exist from
    here on. After a deletion, an organization whose size is on file is registered again at
    once, with the same registration ID [2023 §VII]; otherwise it starts once the size is
    chosen."""
    with workflow_transaction():
        registration = registration_get_or_create(organization=organization, year=year, by=by)
        if registration.cahps_status == ProgramStatus.NOT_REGISTERED and registration.size:
            registration = registration_submit(
                organization=organization, year=year, program=Program.CAHPS, size="", by=by
            )
    return registration


def service_center_register(*, organization, year, program, size, by, contact=None):
    """The QPP Service Center registers an organization on its behalf (CMS staff in admin;
    subgroups' CAHPS in a CAHPS-only year [2023 §I]), adding ``contact`` (a dict of the
    contact's fields) first when given. A refused registration leaves no contact and no
    empty registration behind."""
    with workflow_transaction():
        registration = registration_get_or_create(organization=organization, year=year, by=by)
        if contact is not None:
            contact_add(registration=registration, by=by, **contact)
        return registration_submit(
            organization=organization,
            year=year,
            program=program,
            size=size,
            by=by,
            source=Source.SERVICE_CENTER,
        )
