"""The *Registration Summary* PDF of a year with the CMS Web Interface (2020/2021 screens).

The CAHPS-only years have had their *Group CAHPS Registration Summary* since 2023
[2023 §VI]; this is the same document for the years that offer both programs: the
registration ID to quote [2020 §IV.8], each program's status [2020 §VI], how and when
and by whom it was registered (ET), the organization, its size and the contacts who
receive the confirmation e-mails [2020 §IV.6–8]. Written with the page, fonts and sections
of ``registrations.documents.summary_layout``, as the CAHPS summary is.
"""

from registrations.documents.summary_layout import (
    contacts_section,
    new_summary,
    organization_section,
    person,
    registration_section,
    window_note,
)
from registrations.models import Program, ProgramStatus
from registrations.rules import format_eastern, status_label


def _program_rows(registration):
    year = registration.performance_year
    rows = []
    for program, offered in (
        (Program.WEB_INTERFACE, year.offers_web_interface),
        (Program.CAHPS, year.offers_cahps),
    ):
        if not offered:
            continue
        status = registration.status_for(program)
        text = status_label(year, status)
        if status == ProgramStatus.REGISTERED:
            registered_at = getattr(registration, f"{program.value}_registered_at")
            registered_by = getattr(registration, f"{program.value}_registered_by")
            how = getattr(registration, f"get_{program.value}_source_display")()
            text += f" {how[:1].lower()}{how[1:]}"
            if registered_at:
                text += f" on {format_eastern(registered_at)}"
            if registered_by is not None:
                text += f": {person(registered_by)}"
        rows.append((program.label, text))
    return rows


def registration_summary_pdf(*, registration, contacts, downloaded_at, downloaded_by):
    """The summary of a registration in a year with the Web Interface, as PDF bytes."""
    organization = registration.organization
    year = registration.performance_year
    pdf = new_summary(
        title=f"Registration Summary — {organization.name}",
        heading="Registration Summary",
        subheading=f"CMS Web Interface and CAHPS for MIPS Survey — Performance Year {year.year}",
        subject=f"Registration {registration.registration_id}, performance year {year.year}",
        downloaded_at=downloaded_at,
        downloaded_by=downloaded_by,
    )

    registration_section(pdf, registration, _program_rows(registration))

    organization_section(pdf, registration)
    contacts_section(pdf, contacts)

    pdf.section("What happens next")
    if year.sends_confirmation_emails:
        pdf.write_line(
            "Keep this summary and the registration ID for your records. The contacts above received an "
            "email when the registration was submitted, and receive one whenever it is modified or cancelled."
        )
    else:
        pdf.write_line("Keep this summary and the registration ID for your records.")
    pdf.ln(2)
    pdf.write_line(
        "The registration ID stays the same whether you modify, cancel or re-register, or register for "
        "the other program."
    )
    pdf.ln(2)
    window_note(pdf, year=year, downloaded_at=downloaded_at, changes="modified or cancelled")
    return bytes(pdf.output())
