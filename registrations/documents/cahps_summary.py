"""The *Group CAHPS Registration Summary* PDF [2023 §VI].

In a CAHPS-only year no confirmation e-mail is sent; the Security Official
downloads this summary instead and keeps it on file [2023 §IV.3]. It carries
what someone would need when calling the QPP Service Center: the registration
ID, the organization (its TIN masked), the size, the contacts, the status and
when and by whom the registration was completed.

Its page, fonts and common sections are ``summary_layout``'s.
"""

from qpp_registration.core.eastern import format_eastern
from registrations.documents.summary_layout import (
    contacts_section,
    new_summary,
    organization_section,
    person,
    registration_section,
    window_note,
)
from registrations.rules import status_label

# What became of each message of a confirmation (the outbox's ``OutgoingEmail.Status``).
_DELIVERY = {
    "sent": "sent to",
    "queued": "being sent to",
    "sending": "being sent to",
    "failed": "could not be delivered to",
}


def _delivery(recipients):
    """ "Sent to a@example.com; could not be delivered to b@example.com." """
    addresses = {words: [] for words in _DELIVERY.values()}
    for address, status in recipients:
        addresses[_DELIVERY.get(status, "being sent to")].append(address)
    text = "; ".join(f"{words} {', '.join(found)}" for words, found in addresses.items() if found)
    return f"{text[:1].upper()}{text[1:]}."


def confirmation_section(pdf, confirmations):
    """The confirmation emails asked for with *Email a confirmation to the contacts*
    (``registrations.cahps.confirmation.confirmations_sent``), or that none was."""
    pdf.section("Confirmation email")
    if not confirmations:
        pdf.write_line(
            "No confirmation email has been sent for this registration. A CAHPS for MIPS Survey "
            "registration sends one only when a Security Official selects Email a confirmation to the "
            "contacts on the registration page."
        )
        return
    pdf.write_line(
        "Confirmation emails quoting the registration ID, sent to the contacts receiving updates at the "
        "time a Security Official selected Email a confirmation to the contacts:"
    )
    pdf.ln(1)
    pdf.pairs(
        [
            (format_eastern(confirmation.asked_at), _delivery(confirmation.recipients))
            for confirmation in confirmations
        ]
    )


def cahps_summary_pdf(
    *, registration, contacts, completed_at, completed_by, confirmations=(), downloaded_at, downloaded_by
):
    """The summary of a Complete CAHPS registration, as PDF bytes. ``confirmations``: the
    confirmation emails sent (``registrations.cahps.confirmation.confirmations_sent``)."""
    organization = registration.organization
    year = registration.performance_year
    pdf = new_summary(
        title=f"Group CAHPS Registration Summary — {organization.name}",
        heading="Group CAHPS Registration Summary",
        subheading=f"CAHPS for MIPS Survey — Performance Year {year.year}",
        subject=(
            f"CAHPS for MIPS Survey registration {registration.registration_id}, performance year {year.year}"
        ),
        downloaded_at=downloaded_at,
        downloaded_by=downloaded_by,
    )

    registration_section(
        pdf,
        registration,
        [
            ("CAHPS Registration Status", status_label(year, registration.cahps_status)),
            (
                "Completed",
                f"{format_eastern(completed_at)} by {person(completed_by)}" if completed_at else "—",
            ),
            ("How registered", registration.get_cahps_source_display()),
        ],
    )

    organization_section(pdf, registration)
    contacts_section(pdf, contacts)
    confirmation_section(pdf, confirmations)

    pdf.section("What happens next")
    pdf.write_line(
        "Keep this summary for your records. The contacts above receive information and updates about the "
        "registration and the next steps for administering the survey."
    )
    pdf.ln(2)
    pdf.write_line(
        "CMS conducts an assignment and sampling process for registered organizations. An organization "
        "that doesn't meet the minimum patient sampling requirements will be notified that it can't "
        "administer the CAHPS for MIPS Survey; it then qualifies for a denominator reduction and the measure "
        "is excluded from scoring."
    )
    pdf.ln(2)
    window_note(pdf, year=year, downloaded_at=downloaded_at, changes="changed or deleted")
    return bytes(pdf.output())
