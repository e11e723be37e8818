"""The portal's e-mails: one function per message.

Each function renders ``templates/registrations/email/<name>_subject.txt``,
``<name>.txt`` and ``<name>.html`` at once — so the message describes exactly
what the calling transaction did — and sends after that transaction commits
(queued in that transaction, ``qpp_registration.outbox``): a change that rolls
back never tells anyone it happened, and one that commits is never left untold.
Every recipient gets a message of their own, so no contact sees the
other contacts' addresses.

Registration e-mails go to every contact of the registration and quote the
registration ID, the organization, its masked identifier, the performance year
and the program [2020 §II Prepare, §IV.8, §VII].
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from qpp_registration.outbox import queue_email
from registrations.models import Program
from registrations.rules import format_eastern, sampling_consequences, status_label

TEMPLATE_DIR = "registrations/email"


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str


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


def user_recipient(user):
    return Recipient(name=user.get_full_name() or user.username, email=user.email)


# --- Registration messages --------------------------------------------------------------------------


def notify_registration_submitted(*, registration, program, recipients, event=None):
    """ "Congratulations, you have successfully registered!" [2020 §IV.8]."""
    _send(
        "registration_submitted",
        recipients,
        {**_registration_context(registration), "program": _program_label(program)},
        event=event,
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


def notify_deadline_reminder(*, organization, year, days, missing, link, recipients, event):
    """A registration window closes in ``days`` day(s) and ``missing`` is still to do
    (registrations.reminders). ``event`` makes a repeated call send nothing twice."""
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
            "link": settings.QPP_PORTAL_URL + registration_page(registration),
        },
        event=f"{registration.registration_id}:{outcome.value}",
    )


def registration_page(registration):
    year = registration.performance_year
    name = "cahps_registration" if year.is_cahps_only else "registration_detail"
    return reverse(name, args=[year.year, registration.organization_id])


# --- Role request messages --------------------------------------------------------------------------


def notify_role_request_received(*, role_request, recipients):
    """Tell an organization's Security Officials that someone asks for a role [2020 §II]."""
    _send("role_request_received", recipients, _role_request_context(role_request))


def notify_role_request_decided(*, role_request):
    """Tell the requester whether the role was approved or rejected [2020 §II]."""
    _send("role_request_decided", [user_recipient(role_request.user)], _role_request_context(role_request))


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
            {"label": "CMS Web Interface", "status": status_label(year, registration.web_interface_status)},
            {"label": "CAHPS for MIPS Survey", "status": status_label(year, registration.cahps_status)},
        ]
        if year.offers_web_interface
        else [{"label": "CAHPS for MIPS Survey", "status": status_label(year, registration.cahps_status)}],
    }


def _role_request_context(role_request):
    organization = role_request.organization
    return {
        "requester_name": role_request.user.get_full_name() or role_request.user.username,
        "requester_username": role_request.user.username,
        "role": role_request.get_role_display(),
        "status": role_request.status,
        "status_label": role_request.get_status_display(),
        "decision_note": role_request.decision_note,
        "organization_name": organization.name,
        "identifier_label": organization.identifier_label,
        "masked_identifier": organization.masked_identifier,
    }


def _program_label(program):
    return Program(program).label


def _render(name, context):
    subject = render_to_string(f"{TEMPLATE_DIR}/{name}_subject.txt", context)
    # A subject is one line: a stray newline would let a header be injected.
    subject = " ".join(subject.split())
    text = render_to_string(f"{TEMPLATE_DIR}/{name}.txt", context)
    html = render_to_string(f"{TEMPLATE_DIR}/{name}.html", context)
    return subject, text, html


def _send(name, recipients, context, *, event=None):
    base = {**context, "service_center": settings.QPP_SERVICE_CENTER}
    for recipient in recipients:
        if not recipient.email:
            continue
        subject, text, html = _render(name, {**base, "recipient_name": recipient.name})
        message = EmailMultiAlternatives(subject=subject, body=text, to=[recipient.email])
        message.attach_alternative(html, "text/html")
        queue_email(message, kind=name, event=event)
