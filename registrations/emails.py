"""The portal's e-mails: one function per message.

Each function renders ``templates/registrations/email/<name>_subject.txt``,
``<name>.txt`` and ``<name>.html`` and queues the message with the calling
transaction (``qpp_registration.core.emails``). Every recipient gets a message
of their own, so no contact sees the other contacts' addresses. Role-request
messages are ``organizations.emails``.

Registration e-mails go to every contact of the registration and quote the
registration ID, the organization, its masked identifier, the performance year
and the program [2020 §II Prepare, §IV.8, §VII].
"""

from django.urls import reverse

from qpp_registration.core.eastern import format_eastern
from qpp_registration.core.emails import Recipient, send_to_each
from qpp_registration.core.links import portal_url
from registrations.models import Program
from registrations.rules import sampling_consequences, status_label

TEMPLATE_DIR = "registrations/email"


def contact_recipients(contacts):
    """One recipient per distinct e-mail address among ``contacts``."""
    seen = set()
    recipients = []
    for contact in contacts:
        address = (contact.email or "").strip()
        if address and address.lower() not in seen:
            seen.add(address.lower())
            recipients.append(Recipient(name=contact.full_name, email=address))
    return recipients


# --- Registration messages --------------------------------------------------------------------------


def notify_registration_submitted(*, registration, program, recipients, event=None, kind=None):
    """ "Congratulations, you have successfully registered!" [2020 §IV.8]. ``kind``: another
    name for the outbox, for the confirmation a CAHPS-only year sends only when asked, which a
    contact may stop (qpp_registration.core.background.unsubscribe)."""
    _send(
        "registration_submitted",
        recipients,
        {**_registration_context(registration), "program": _program_label(program)},
        event=event,
        kind=kind,
    )


def notify_registration_cancelled(*, registration, program, recipients):
    """The cancellation, quoting the registration ID to keep on file [2020 §VII]."""
    _send(
        "registration_cancelled",
        recipients,
        {**_registration_context(registration), "program": _program_label(program)},
    )


def notify_registration_modified(*, registration, changes, recipients):
    """A registered organization's size, address or contacts changed [2020 §II Prepare, §V].

    ``changes`` are sentences saying what changed, e.g. "Organization size changed to 2–24."
    """
    _send("registration_modified", recipients, {**_registration_context(registration), "changes": changes})


# --- Deadline reminders ----------------------------------------------------------------------------


def notify_deadline_reminder(*, organization, year, days, standing, missing, link, recipients, event):
    """A registration window closes in ``days`` day(s), the organization ``standing`` as it is
    with each program, and ``missing`` is still to do (registrations.reminders). ``event`` makes
    a repeated call send nothing twice."""
    _send(
        "deadline_reminder",
        recipients,
        {
            "organization_name": organization.name,
            "identifier_label": organization.identifier_label,
            "masked_identifier": organization.masked_identifier,
            "performance_year": year.year,
            "days": days,
            "closes": format_eastern(year.window_closes),
            "standing": standing,
            "missing": missing,
            "link": link,
        },
        event=event,
    )


# --- Fall sampling notices ---------------------------------------------------------------------------


def notify_sampling_notice(*, registration, outcome, recipients):
    """The fall notice that the organization can't report through the Web Interface or
    administer the CAHPS for MIPS Survey, with what that means (rules.sampling_consequences)."""
    summary, consequences = sampling_consequences(outcome)
    _send(
        "sampling_notice",
        recipients,
        {
            **_registration_context(registration),
            "program": _program_label(outcome.program),
            "summary": summary,
            "consequences": consequences,
            "link": portal_url(registration_page(registration)),
        },
        event=f"{registration.registration_id}:{outcome.value}",
    )


def registration_page(registration):
    year = registration.performance_year
    name = "cahps_registration" if year.is_cahps_only else "registration_detail"
    return reverse(name, args=[year.year, registration.organization_id])


# --- Rendering and delivery -------------------------------------------------------------------------


def _registration_context(registration):
    organization = registration.organization
    year = registration.performance_year
    return {
        "registration_id": registration.registration_id,
        "organization_name": organization.name,
        "identifier_label": organization.identifier_label,
        "masked_identifier": organization.masked_identifier,
        "performance_year": year.year,
        "size": registration.get_size_display(),
        "programs": [
            {"label": program.label, "status": status_label(year, registration.status_for(program))}
            for program in year.programs
        ],
    }


def _program_label(program):
    return Program(program).label


def _send(name, recipients, context, *, event=None, kind=None):
    send_to_each(f"{TEMPLATE_DIR}/{name}", recipients, context, event=event, kind=kind)
