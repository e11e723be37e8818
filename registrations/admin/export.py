"""CSV export of the registration changelist, streamed row by row.

The export is the changelist's own queryset (same filters, same search, same
order), read with ``.iterator(chunk_size=...)`` and written to the response as
it goes, so 100,000 registrations never sit in memory at once.

Columns, in order (``COLUMNS`` below is the single source):

================================  ============================================================
registration_id                   ``QPP-XXXX-XXXX``; never changes [2020 §IV.8]
performance_year                  e.g. ``2021``
organization_name                 as the Security Official last saved it
organization_kind                 Practice, Virtual Group, APM Entity or Subgroup
identifier_type                   TIN, Virtual Group ID, APM Entity ID or Subgroup ID
identifier                        the full identifier (TINs unmasked: the file is for CMS staff)
parent_tin                        a subgroup's practice TIN; empty otherwise
apm                               the APM (e.g. Shared Savings Program); may be empty
aco_type                          Shared Savings Program (MSSP) ACO, Next Generation ACO or empty
address_line_1 … zip_code         the organization's mailing address
size                              2–24, 25–99, 100 or more; empty until chosen
web_interface_status              Registered / Not registered
web_interface_source              how the Web Interface registration came about
web_interface_registered_at       ISO 8601 in Eastern Time (with its UTC offset)
submitted_web_interface_data      yes / no: drives next year's automatic registration [2020 §I]
cahps_status                      Registered / Not registered; Complete / Incomplete / Not started
                                  in a CAHPS-only year [2023 §VI]
cahps_source                      how the CAHPS registration came about
cahps_registered_at               ISO 8601 in Eastern Time
contacts                          number of contacts who receive updates [2023 §III.8]
created_at, updated_at            ISO 8601 in Eastern Time
================================  ============================================================
"""

import csv
import unicodedata

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import StreamingHttpResponse
from django.utils import timezone

from contacts.models import Contact
from organizations.models import Organization
from registrations.models import PerformanceYear, Size, Source
from registrations.rules import status_label

CHUNK_SIZE = 2000
# Rows per piece of the response: fewer, larger writes to the socket than one per row.
ROWS_PER_WRITE = 500

# Spreadsheet programs run cells that start with these as formulas (CSV injection);
# organization names are typed by portal users, so such cells are quoted.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Read as plain values, not model instances: a row costs a tuple, not three objects.
FIELDS = [
    "registration_id",
    "performance_year_id",
    "organization__name",
    "organization__kind",
    "organization__identifier",
    "organization__parent__identifier",
    "organization__apm_identifier",
    "organization__aco_type",
    "organization__address_line_1",
    "organization__address_line_2",
    "organization__city",
    "organization__state",
    "organization__zip_code",
    "size",
    "web_interface_status",
    "web_interface_source",
    "web_interface_registered_at",
    "submitted_web_interface_data",
    "cahps_status",
    "cahps_source",
    "cahps_registered_at",
    "contact_count",
    "created_at",
    "updated_at",
]


class _Row(dict):
    """One registration's values, with the performance year and time zone of the export."""

    __slots__ = ("tz", "year")


def _when(row, name):
    value = row[name]
    return value.astimezone(row.tz).isoformat(timespec="seconds") if value else ""


def _label(choices):
    labels = dict(choices)
    return lambda value: labels.get(value, value) if value else ""


_kind = _label(Organization.Kind.choices)
_aco = _label(Organization.AcoType.choices)
_size = _label(Size.choices)
_source = _label(Source.choices)

COLUMNS = [
    ("registration_id", lambda r: r["registration_id"]),
    ("performance_year", lambda r: r.year.year),
    ("organization_name", lambda r: r["organization__name"]),
    ("organization_kind", lambda r: _kind(r["organization__kind"])),
    ("identifier_type", lambda r: Organization.IDENTIFIER_LABELS[r["organization__kind"]]),
    ("identifier", lambda r: r["organization__identifier"]),
    ("parent_tin", lambda r: r["organization__parent__identifier"] or ""),
    ("apm", lambda r: r["organization__apm_identifier"]),
    ("aco_type", lambda r: _aco(r["organization__aco_type"])),
    ("address_line_1", lambda r: r["organization__address_line_1"]),
    ("address_line_2", lambda r: r["organization__address_line_2"]),
    ("city", lambda r: r["organization__city"]),
    ("state", lambda r: r["organization__state"]),
    ("zip_code", lambda r: r["organization__zip_code"]),
    ("size", lambda r: _size(r["size"])),
    ("web_interface_status", lambda r: status_label(r.year, r["web_interface_status"])),
    ("web_interface_source", lambda r: _source(r["web_interface_source"])),
    ("web_interface_registered_at", lambda r: _when(r, "web_interface_registered_at")),
    ("submitted_web_interface_data", lambda r: "yes" if r["submitted_web_interface_data"] else "no"),
    ("cahps_status", lambda r: status_label(r.year, r["cahps_status"])),
    ("cahps_source", lambda r: _source(r["cahps_source"])),
    ("cahps_registered_at", lambda r: _when(r, "cahps_registered_at")),
    ("contacts", lambda r: r["contact_count"]),
    ("created_at", lambda r: _when(r, "created_at")),
    ("updated_at", lambda r: _when(r, "updated_at")),
]
HEADER = [name for name, _ in COLUMNS]


class _Lines:
    """A file-like object that keeps what ``csv.writer`` writes until it is taken."""

    def __init__(self):
        self.parts = []

    def write(self, value):
        self.parts.append(value)

    def take(self):
        text = "".join(self.parts)
        self.parts = []
        return text


def safe_cell(value):
    """``value`` as a spreadsheet cell's text, quoted when a spreadsheet program would run it as
    a formula. Every spreadsheet the portal writes goes through here (also
    ``registrations.documents.spreadsheet``)."""
    text = "" if value is None else str(value)
    # Spreadsheet programs fold full-width and small forms (＝ ＋ － ＠, ﹦ ﹢ ﹣ ﹫) to their ASCII
    # twins before deciding a cell is a formula: compare the compatibility form (NFKC).
    if text.startswith(_FORMULA_PREFIXES) or unicodedata.normalize("NFKC", text[:1]).startswith(
        _FORMULA_PREFIXES
    ):
        return "'" + text
    return text


def export_queryset(queryset):
    """The values to export: one query per chunk of rows, none per row."""
    contact_count = Coalesce(
        Subquery(
            Contact.objects.filter(registration=OuterRef("pk"))
            .order_by()
            .values("registration")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )
    return queryset.annotate(contact_count=contact_count).values(*FIELDS)


def csv_text(header, rows, *, prefix=""):
    """``prefix``, ``header`` and ``rows`` (lists of cells) as CSV text, a few hundred lines at a
    time, for a ``StreamingHttpResponse``."""
    lines = _Lines()
    writer = csv.writer(lines)
    lines.write(prefix)
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % ROWS_PER_WRITE == 0:
            yield lines.take()
    yield lines.take()


def csv_rows(queryset):
    """The header, then the registrations as CSV text, a few hundred lines at a time."""
    years = {year.pk: year for year in PerformanceYear.objects.all()}
    tz = timezone.get_current_timezone()

    def rows():
        for values in export_queryset(queryset).iterator(chunk_size=CHUNK_SIZE):
            row = _Row(values)
            row.tz = tz
            row.year = years[values["performance_year_id"]]
            yield [safe_cell(getter(row)) for _, getter in COLUMNS]

    return csv_text(HEADER, rows())


def csv_response(queryset):
    filename = timezone.localtime().strftime("registrations-%Y%m%d-%H%M.csv")
    response = StreamingHttpResponse(csv_rows(queryset), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
