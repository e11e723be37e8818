"""Reading the fall sampling results staff upload: one registration per CSV row.

The file has a header row naming the column that identifies each registration:
``registration_id`` (e.g. ``Q2021-ABCD1234``), or ``tin`` / ``identifier`` (the
organization's TIN, virtual group ID or APM Entity ID). Other columns are ignored. Every
row is checked before anything is saved: a file with any bad row records nothing.
"""

import csv
import io
from dataclasses import dataclass, field

from registrations.models import ProgramStatus, Registration, SamplingOutcome

ID_COLUMNS = ("registration_id", "tin", "identifier")
MAX_BYTES = 5 * 1024 * 1024


@dataclass
class ParsedFile:
    registrations: list = field(default_factory=list)
    errors: list = field(default_factory=list)


def _normalize(name):
    return "_".join((name or "").strip().lower().replace("-", " ").split())


def parse(uploaded, *, year, outcome):
    """Check every row of ``uploaded`` (a file object of bytes) against ``year``'s registrations."""
    result = ParsedFile()
    raw = uploaded.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        result.errors.append("The file is larger than 5 MB. Split it and upload each part.")
        return result
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append("The file is not UTF-8 text. Save it as CSV (UTF-8) and upload it again.")
        return result
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        result.errors.append("The file is empty.")
        return result
    header = [_normalize(name) for name in rows[0]]
    column = next((name for name in ID_COLUMNS if name in header), None)
    if column is None:
        result.errors.append(
            "The first row must name the column of registration IDs or identifiers: "
            "registration_id, tin or identifier."
        )
        return result
    index = header.index(column)
    program = SamplingOutcome(outcome).program
    seen = set()
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        value = row[index].strip() if index < len(row) else ""
        if not value:
            result.errors.append(f"Row {number}: the {column} is empty.")
            continue
        registration, error = _find(value, column=column, year=year)
        if error:
            result.errors.append(f"Row {number}: {error}")
            continue
        if registration.status_for(program) != ProgramStatus.REGISTERED:
            result.errors.append(
                f"Row {number}: {registration.registration_id} ({registration.organization.name}) is not "
                f"registered for the {program.label} in {year.year}."
            )
            continue
        if registration.pk not in seen:
            seen.add(registration.pk)
            result.registrations.append(registration)
    if not result.registrations and not result.errors:
        result.errors.append("The file has no rows after the header.")
    return result


def _find(value, *, column, year):
    registrations = Registration.objects.filter(performance_year=year).select_related("organization")
    if column == "registration_id":
        found = list(registrations.filter(registration_id=value.upper()))
        if not found:
            return None, f"no {year.year} registration has the ID {value}."
        return found[0], None
    identifier = value.replace("-", "") if column == "tin" else value
    found = list(registrations.filter(organization__identifier=identifier))
    if not found:
        label = "TIN" if column == "tin" else "identifier"
        return None, f"no organization with {label} {value} is registered for {year.year}."
    if len(found) > 1:
        return None, f"{value} matches {len(found)} registrations; use the registration ID instead."
    return found[0], None
