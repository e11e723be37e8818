"""*Download my organizations*: every organization the signed-in user holds a role for (either
role), with each open and past performance year's programs, statuses, size, registration ID
and contacts, as CSV or XLSX (issue 27 #4).

Only the user's own organizations: every query starts from the user's roles. Four queries
whatever the number of organizations (the years, the roles, the registrations, their
contacts); the file is then written as it is sent. Every cell goes through the staff export's
``safe_cell``, so a name typed as ``=HYPERLINK(...)`` is text in the spreadsheet, not a formula.
TINs are masked as on every screen (``***-**-6789``): a saved file shows no more than the page.
"""

import io
from collections import defaultdict

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from contacts.models import Contact
from organizations.models import Organization, Role
from registrations import selectors
from registrations.admin.export import csv_text, safe_cell
from registrations.models import Program, ProgramStatus, Registration, Size
from registrations.rules import status_label

_KINDS = dict(Organization.Kind.choices)
_ROLES = dict(Role.Kind.choices)
_SIZES = dict(Size.choices)
NOT_OFFERED = "Not offered"

HEADER = [
    "Organization name",
    "Organization type",
    "Identifier type",
    "Identifier",
    "Your role",
    "Performance year",
    "Programs offered",
    "Registration ID",
    "Organization size",
    "CMS Web Interface status",
    "CAHPS for MIPS Survey status",
]
ORGANIZATION_COLUMNS = ("organization__name", "organization__kind", "organization__identifier")
CONTACT_HEADER = ("Contact {n} name", "Contact {n} e-mail", "Contact {n} phone")


class _Export:
    """What the file holds, read in four queries: ``rows()`` gives each organization's line for
    each year, newest year first, organizations in name order."""

    def __init__(self, user, now):
        self.years = [year for year in selectors.performance_years() if year.window_opens <= now]
        year_ids = [year.pk for year in self.years]
        self.roles = list(
            Role.objects.filter(user=user)
            .order_by("organization__name", "organization__identifier", "organization_id")
            .values_list("kind", "organization_id", *ORGANIZATION_COLUMNS)
        )
        self.registrations = {
            (organization_id, year_id): rest
            for organization_id, year_id, *rest in Registration.objects.filter(
                organization__roles__user=user, performance_year__in=year_ids
            )
            .order_by()
            .values_list(
                "organization_id",
                "performance_year_id",
                "pk",
                "registration_id",
                "size",
                "web_interface_status",
                "cahps_status",
            )
        }
        self.contacts = defaultdict(list)
        for registration_id, *person in (
            Contact.objects.filter(
                registration__organization__roles__user=user, registration__performance_year__in=year_ids
            )
            .order_by("registration_id", "created_at", "pk")
            .values_list("registration_id", "first_name", "last_name", "email", "phone")
        ):
            self.contacts[registration_id].append(person)
        self.most_contacts = max((len(people) for people in self.contacts.values()), default=0)

    def header(self):
        contacts = [label.format(n=n) for n in range(1, self.most_contacts + 1) for label in CONTACT_HEADER]
        return HEADER + contacts

    def rows(self):
        for year in self.years:
            programs = " and ".join(str(program.label) for program in year.programs)
            for role_kind, organization_id, name, kind, identifier in self.roles:
                shown = Organization(kind=kind, identifier=identifier)
                found = self.registrations.get((organization_id, year.pk))
                pk, registration_id, size, web_interface, cahps = found or (None, "", "", "", "")
                row = [
                    name,
                    _KINDS.get(kind, kind),
                    shown.identifier_label,
                    shown.masked_identifier,
                    _ROLES.get(role_kind, role_kind),
                    year.year,
                    programs,
                    registration_id,
                    _SIZES.get(size, ""),
                    _status(year, Program.WEB_INTERFACE, web_interface),
                    _status(year, Program.CAHPS, cahps),
                ]
                people = self.contacts.get(pk, ())
                for first, last, email, phone in people:
                    row += [f"{first} {last}".strip(), email, phone]
                row += [""] * (3 * (self.most_contacts - len(people)))
                yield [safe_cell(value) for value in row]


def _status(year, program, status):
    if program not in year.programs:
        return NOT_OFFERED
    return status_label(year, status or ProgramStatus.NOT_REGISTERED)


def _filename(extension):
    return timezone.localtime().strftime(f"my-organizations-%Y%m%d-%H%M.{extension}")


def _csv_pieces(export):
    # A byte-order mark: Excel reads a CSV without one in the computer's legacy code page, and
    # the sizes' en dashes ("25–99") and accented names would come out garbled.
    return csv_text(export.header(), export.rows(), prefix="\ufeff")


def _attachment(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Contacts' e-mail addresses and phones: kept by no browser or proxy (also for a signed-in
    # user by CacheControlMiddleware; said here too, as the file is the point).
    add_never_cache_headers(response)
    return response


def csv_response(user, now):
    export = _Export(user, now)
    response = StreamingHttpResponse(_csv_pieces(export), content_type="text/csv; charset=utf-8")
    return _attachment(response, _filename("csv"))


def xlsx_response(user, now):
    export = _Export(user, now)
    # Write-only: rows go to the file as they are made, not kept as cell objects.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("My organizations")
    sheet.append(export.header())
    for row in export.rows():
        # XML cannot hold most control characters; openpyxl refuses them rather than drop them.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) for value in row])
    content = io.BytesIO()
    workbook.save(content)
    response = HttpResponse(
        content.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return _attachment(response, _filename("xlsx"))
