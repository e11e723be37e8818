"""*Download my organizations*: the signed-in user's organizations, any role, with each open and
past year's programs, statuses, sizes, registration IDs and contacts, as CSV and XLSX
(issue 27 #4)."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from organizations.models import Role
from registrations.models import ProgramStatus, Size, Source
from tests.factories import (
    ContactFactory,
    OrganizationFactory,
    PerformanceYearFactory,
    RegistrationFactory,
    RoleFactory,
    UserFactory,
    VirtualGroupFactory,
    registered,
)
from tests.test_list_queries import NOT_COUNTED

pytestmark = pytest.mark.django_db


def _csv(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_csv_lists_each_organization_for_each_open_and_past_year_with_its_contacts(
    sign_in, security_official, practice, year_2020, window_open_2021
):
    PerformanceYearFactory(year=2023)  # not open yet: not in the file
    registration = registered(practice, window_open_2021, size=Size.MEDIUM, cahps=False, contacts=0)
    ContactFactory(
        registration=registration,
        first_name="Ana",
        last_name="Lee",
        email="ana@example.com",
        phone="(410) 555-0101",
    )
    ContactFactory(
        registration=registration, first_name="Bo", last_name="Kim", email="bo@example.com", phone=""
    )
    group = VirtualGroupFactory(name="Harbor Virtual Group")
    RoleFactory(user=security_official, organization=group, kind=Role.Kind.STAFF_USER)

    response = sign_in(security_official).get(reverse("my_organizations_csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="my-organizations-')
    assert "no-store" in response["Cache-Control"]
    rows = _csv(response)
    assert [(row["Performance year"], row["Organization name"]) for row in rows] == [
        ("2021", "Chesapeake Family Medicine"),
        ("2021", "Harbor Virtual Group"),
        ("2020", "Chesapeake Family Medicine"),
        ("2020", "Harbor Virtual Group"),
    ]
    first = rows[0]
    assert first["Identifier"] == "***-**-6789"
    assert first["Your role"] == "Security Official"
    assert first["Programs offered"] == "CMS Web Interface and CAHPS for MIPS Survey"
    assert first["Registration ID"] == registration.registration_id
    assert first["Organization size"] == "25–99"
    assert (first["CMS Web Interface status"], first["CAHPS for MIPS Survey status"]) == (
        "Registered",
        "Not registered",
    )
    assert (first["Contact 1 name"], first["Contact 1 e-mail"], first["Contact 1 phone"]) == (
        "Ana Lee",
        "ana@example.com",
        "(410) 555-0101",
    )
    assert (first["Contact 2 name"], first["Contact 2 e-mail"]) == ("Bo Kim", "bo@example.com")
    group_row = rows[1]
    assert group_row["Your role"] == "Staff User"
    assert group_row["Registration ID"] == "" and group_row["CMS Web Interface status"] == "Not registered"
    assert group_row["Contact 1 name"] == ""


def test_a_cahps_only_year_says_complete_or_incomplete_and_not_offered(
    sign_in, security_official, practice, window_open_2023
):
    RegistrationFactory(
        organization=practice,
        performance_year=window_open_2023,
        cahps_status=ProgramStatus.INCOMPLETE,
        cahps_source=Source.SECURITY_OFFICIAL,
    )

    (row,) = _csv(sign_in(security_official).get(reverse("my_organizations_csv")))

    assert (row["CMS Web Interface status"], row["CAHPS for MIPS Survey status"]) == (
        "Not offered",
        "Incomplete",
    )


def test_another_officials_organizations_never_appear(
    sign_in, security_official, practice, outsider, window_open_2021
):
    theirs = OrganizationFactory(name="Someone Else Clinic")
    RoleFactory(user=outsider, organization=theirs, kind=Role.Kind.SECURITY_OFFICIAL)
    registered(theirs, window_open_2021, size=Size.MEDIUM, email="theirs@example.com")
    registered(practice, window_open_2021, size=Size.MEDIUM, email="mine@example.com")

    text = b"".join(
        sign_in(security_official).get(reverse("my_organizations_csv")).streaming_content
    ).decode()
    workbook = load_workbook(
        io.BytesIO(sign_in(security_official).get(reverse("my_organizations_xlsx")).content)
    )
    cells = [cell for row in workbook.active.iter_rows(values_only=True) for cell in row]

    assert "Someone Else Clinic" not in text and "theirs@example.com" not in text
    assert "mine@example.com" in text
    assert "Someone Else Clinic" not in cells and "mine@example.com" in cells
    # A user with no role gets no row.
    assert _csv(sign_in(UserFactory()).get(reverse("my_organizations_csv"))) == []


@pytest.mark.parametrize("typed", ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "＝1+1"])
def test_a_name_typed_as_a_formula_is_text_in_both_files(
    sign_in, security_official, practice, window_open_2021, typed
):
    practice.name = typed
    practice.save()
    registered(practice, window_open_2021, size=Size.MEDIUM, first_name=typed)

    (row,) = _csv(sign_in(security_official).get(reverse("my_organizations_csv")))
    workbook = load_workbook(
        io.BytesIO(sign_in(security_official).get(reverse("my_organizations_xlsx")).content)
    )
    sheet = workbook.active
    name_cell = sheet.cell(row=2, column=1)

    assert row["Organization name"] == "'" + typed
    assert row["Contact 1 name"].startswith("'" + typed)
    assert name_cell.value == "'" + typed and name_cell.data_type == "s"


def test_the_xlsx_holds_the_same_rows_as_the_csv(sign_in, security_official, practice, window_open_2021):
    registered(practice, window_open_2021, size=Size.LARGE, first_name="Ana", last_name="Lee")
    client = sign_in(security_official)

    rows = _csv(client.get(reverse("my_organizations_csv")))
    response = client.get(reverse("my_organizations_xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "no-store" in response["Cache-Control"]
    assert values[0] == list(rows[0].keys())
    assert values[1:] == [list(row.values()) for row in rows]


def _count_queries(client, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name))
        content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content
    return sum(1 for query in queries.captured_queries if not any(t in query["sql"] for t in NOT_COUNTED))


@pytest.mark.parametrize("name", ["my_organizations_csv", "my_organizations_xlsx"])
def test_the_export_runs_the_same_queries_for_1_or_61_organizations(
    name, sign_in, security_official, practice, year_2020, window_open_2021
):
    registered(practice, window_open_2021, size=Size.MEDIUM)
    client = sign_in(security_official)
    one = _count_queries(client, name)
    for _ in range(60):
        organization = OrganizationFactory()
        RoleFactory(user=security_official, organization=organization, kind=Role.Kind.SECURITY_OFFICIAL)
        registered(organization, window_open_2021, size=Size.MEDIUM, contacts=2)
        registered(organization, year_2020, size=Size.MEDIUM)

    # The user and the session's security stamp, then the years, the roles, the registrations and
    # their contacts.
    assert one == _count_queries(client, name) == 6
