"""What both summary PDFs share: the page, fonts and footer, the heading, and the sections
about the registration, the organization, the contacts and the registration window. The
*Group CAHPS Registration Summary* (``cahps_summary``) and the Web Interface years'
*Registration Summary* (``web_interface_summary``) are written with it.

Written with fpdf2 in Public Sans, the USWDS typeface installed with USWDS
(``node_modules``); where that font is missing it falls back to a core PDF font
and replaces characters that font cannot show.
"""

from pathlib import Path

from django.conf import settings
from fpdf import FPDF
from fpdf.enums import TableBordersLayout, XPos, YPos
from fpdf.fonts import FontFace

from qpp_registration.core.eastern import format_eastern

FONT_DIR = Path(settings.BASE_DIR) / "node_modules" / "@uswds" / "uswds" / "dist" / "fonts" / "public-sans"
FONT_FILES = {"": "PublicSans-Regular.ttf", "B": "PublicSans-Bold.ttf"}

INK = (27, 27, 27)
MUTED = (69, 69, 69)
RULE = (169, 174, 177)
HEADING_FILL = (240, 240, 240)


def person(user):
    """Who did something, as a summary names them."""
    if user is None:
        return "the QPP Service Center"
    name = user.get_full_name()
    return f"{name} (User ID {user.username})" if name else f"User ID {user.username}"


class _SummaryPdf(FPDF):
    def __init__(self, *, footer_text):
        super().__init__(orientation="portrait", unit="mm", format="Letter")
        self.footer_text = footer_text
        self.unicode = all((FONT_DIR / name).is_file() for name in FONT_FILES.values())
        if self.unicode:
            for style, name in FONT_FILES.items():
                self.add_font("PublicSans", style, str(FONT_DIR / name))
            self.family = "PublicSans"
        else:
            self.family = "Helvetica"
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(auto=True, margin=24)
        self.alias_nb_pages()

    def text_for_font(self, text):
        """Core fonts know Latin-1 only: keep en dashes readable and replace the rest."""
        text = str(text)
        if self.unicode:
            return text
        text = text.replace("–", "-").replace("—", "-").replace("’", "'")
        return text.encode("latin-1", "replace").decode("latin-1")

    def write_line(self, text, *, size=10, style="", color=INK, height=5.5):
        self.set_font(self.family, style, size)
        self.set_text_color(*color)
        self.multi_cell(0, height, self.text_for_font(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def section(self, title):
        self.ln(4)
        self.write_line(title, size=12.5, style="B", height=7)
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(2)

    def pairs(self, rows):
        self.set_font(self.family, "", 10)
        self.set_text_color(*INK)
        with self.table(
            col_widths=(55, 120),
            first_row_as_headings=False,
            borders_layout=TableBordersLayout.NONE,
            line_height=6,
            text_align=("LEFT", "LEFT"),
        ) as table:
            for label, value in rows:
                row = table.row()
                row.cell(self.text_for_font(label), style=FontFace(emphasis="BOLD"))
                row.cell(self.text_for_font(value))

    def footer(self):
        self.set_y(-18)
        self.set_font(self.family, "", 8)
        self.set_text_color(*MUTED)
        self.multi_cell(
            0, 4, self.text_for_font(self.footer_text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="R")


def new_summary(*, title, heading, subheading, subject, downloaded_at, downloaded_by):
    """A summary document with its footer, metadata and heading written: sections follow."""
    service_center = settings.QPP_SERVICE_CENTER
    pdf = _SummaryPdf(
        footer_text=(
            f"Downloaded {format_eastern(downloaded_at)} by {person(downloaded_by)}. Questions? Contact the "
            f"Quality Payment Program, {service_center['hours']}: {service_center['phone']} "
            f"(TRS {service_center['trs']}), {service_center['email']}."
        )
    )
    pdf.set_title(pdf.text_for_font(title))
    pdf.set_subject(subject)
    pdf.set_author("Quality Payment Program")
    pdf.set_creator("QPP Registration")
    pdf.set_lang("en-US")
    pdf.set_creation_date(downloaded_at)
    pdf.add_page()

    pdf.write_line("Quality Payment Program", size=10, color=MUTED)
    pdf.write_line(heading, size=20, style="B", height=10)
    pdf.write_line(subheading, size=12, color=MUTED, height=7)
    return pdf


def registration_section(pdf, registration, rows):
    """The registration ID to quote and the performance year, then ``rows`` (label, value)."""
    pdf.section("Registration")
    pdf.pairs(
        [
            ("Registration ID", registration.registration_id),
            ("Performance year", str(registration.performance_year.year)),
            *rows,
        ]
    )


def organization_section(pdf, registration):
    """The organization (its TIN masked), its mailing address and the registration's size."""
    organization = registration.organization
    pdf.section("Organization")
    address = ", ".join(
        part
        for part in (
            organization.address_line_1,
            organization.address_line_2,
            organization.city,
            " ".join(part for part in (organization.state, organization.zip_code) if part),
        )
        if part
    )
    rows = [
        ("Organization name", organization.name),
        ("Organization type", organization.get_kind_display()),
        (organization.identifier_label, organization.masked_identifier),
    ]
    if organization.apm_identifier:
        rows.append(("APM", organization.apm_identifier))
    rows += [
        ("Mailing address", address or "—"),
        ("Organization Size", f"{registration.get_size_display()} clinicians" if registration.size else "—"),
    ]
    pdf.pairs(rows)


def contacts_section(pdf, contacts):
    """The complete contacts, who receive updates about the registration."""
    complete = [contact for contact in contacts if contact.is_complete]
    pdf.section(f"Contacts receiving updates ({len(complete)})")
    pdf.set_font(pdf.family, "", 10)
    with pdf.table(
        col_widths=(10, 55, 40, 70),
        headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL),
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        line_height=6,
        text_align="LEFT",
    ) as table:
        heading = table.row()
        for text in ("#", "Name", "Phone Number", "Email"):
            heading.cell(text)
        for number, contact in enumerate(complete, start=1):
            row = table.row()
            for text in (str(number), contact.full_name, contact.phone, contact.email):
                row.cell(pdf.text_for_font(text))


def window_note(pdf, *, year, downloaded_at, changes):
    """Until when the registration can still change (``changes``: "changed or deleted")."""
    if downloaded_at < year.window_closes:
        pdf.write_line(
            f"The registration can be {changes} until {format_eastern(year.window_closes)}, when "
            "registration closes. A summary downloaded earlier does not show later changes."
        )
    else:
        pdf.write_line(f"Registration closed on {format_eastern(year.window_closes)}.")
