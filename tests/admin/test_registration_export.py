"""CSV export of the filtered registration list."""

import csv
import io
from datetime import datetime

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from registrations.admin.export import HEADER
from registrations.models import ProgramStatus, Size, Source
from tests.factories import (
    ContactFactory,
    OrganizationFactory,
    RegistrationFactory,
    SubgroupFactory,
    UserFactory,
)

from .conftest import REGISTRATIONS

pytestmark = pytest.mark.django_db

EXPORT = f"{REGISTRATIONS}export/"


def read_csv(response):
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def agent_client(staff_client, help_desk_agent):
    return staff_client(help_desk_agent)


def test_export_of_a_filtered_list_has_its_rows_and_every_column(
    agent_client, practice, year_2021, year_2023
):
    registered = RegistrationFactory(
        organization=practice,
        performance_year=year_2021,
        size=Size.LARGE,
        web_interface_status=ProgramStatus.REGISTERED,
        web_interface_source=Source.AUTOMATIC,
        web_interface_registered_at=year_2021.window_opens,
        submitted_web_interface_data=True,
    )
    ContactFactory(registration=registered)
    ContactFactory(registration=registered)
    RegistrationFactory(performance_year=year_2021)  # filtered out: not registered for the Web Interface
    RegistrationFactory(performance_year=year_2023)  # filtered out: another year

    response = agent_client.get(
        EXPORT, {"performance_year__id__exact": year_2021.pk, "program_status": "wi_registered"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="registrations-')
    rows = read_csv(response)
    assert len(rows) == 1
    assert list(rows[0]) == HEADER
    assert rows[0] == {
        "registration_id": registered.registration_id,
        "performance_year": "2021",
        "organization_name": "Chesapeake Family Medicine",
        "organization_kind": "Practice",
        "identifier_type": "TIN",
        "identifier": "123456789",
        "parent_tin": "",
        "apm": "",
        "aco_type": "",
        "address_line_1": practice.address_line_1,
        "address_line_2": "",
        "city": "Baltimore",
        "state": "MD",
        "zip_code": "21244",
        "size": "100 or more",
        "web_interface_status": "Registered",
        "web_interface_source": "Automatically",
        "web_interface_registered_at": "2021-04-01T10:00:00-04:00",
        "submitted_web_interface_data": "yes",
        "cahps_status": "Not registered",
        "cahps_source": "",
        "cahps_registered_at": "",
        "contacts": "2",
        "created_at": rows[0]["created_at"],
        "updated_at": rows[0]["updated_at"],
    }
    created_at = datetime.fromisoformat(rows[0]["created_at"])
    assert created_at == registered.created_at.replace(microsecond=0)
    assert created_at.utcoffset() == timezone.localtime(registered.created_at).utcoffset()  # Eastern Time


def test_export_follows_the_search_box_and_ignores_the_page_number(agent_client, year_2021):
    wanted = [
        RegistrationFactory(
            organization=OrganizationFactory(name=f"Summit Clinic {n}"), performance_year=year_2021
        )
        for n in range(3)
    ]
    RegistrationFactory(organization=OrganizationFactory(name="Valley Clinic"), performance_year=year_2021)

    rows = read_csv(agent_client.get(EXPORT, {"q": "summit", "p": "2"}))

    assert sorted(row["registration_id"] for row in rows) == sorted(r.registration_id for r in wanted)


def test_cahps_only_year_and_subgroup_columns(agent_client, year_2023):
    subgroup = SubgroupFactory(identifier="SG-00042", parent=OrganizationFactory(identifier="987654321"))
    RegistrationFactory(
        organization=subgroup,
        performance_year=year_2023,
        size=Size.SMALL,
        cahps_status=ProgramStatus.INCOMPLETE,
        cahps_source=Source.SERVICE_CENTER,
    )

    [row] = read_csv(agent_client.get(EXPORT))

    assert row["identifier_type"] == "Subgroup ID"
    assert row["parent_tin"] == "987654321"
    assert row["cahps_status"] == "Incomplete"
    assert row["cahps_source"] == "By the QPP Service Center"
    assert row["contacts"] == "0"


def test_cells_a_spreadsheet_would_run_as_formulas_are_quoted(agent_client, year_2021):
    RegistrationFactory(
        organization=OrganizationFactory(name='=HYPERLINK("http://x.example")'), performance_year=year_2021
    )

    [row] = read_csv(agent_client.get(EXPORT))

    assert row["organization_name"] == '\'=HYPERLINK("http://x.example")'


def test_changelist_links_to_the_export_of_what_it_shows(agent_client, year_2021):
    RegistrationFactory(performance_year=year_2021)

    page = agent_client.get(REGISTRATIONS, {"q": "clinic"}).content.decode()

    assert f'href="{EXPORT}?q=clinic"' in page


def test_staff_without_the_export_permission_get_403_and_no_link(staff_client, year_2021):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_registration"))
    RegistrationFactory(performance_year=year_2021)
    client = staff_client(viewer)

    assert client.get(EXPORT).status_code == 403
    assert "as CSV" not in client.get(REGISTRATIONS).content.decode()


@pytest.mark.parametrize("first", ["＝", "＋", "－", "＠", "﹦", "﹢", "﹣", "﹫"])
def test_cells_starting_with_full_width_or_small_formula_signs_are_quoted_too(agent_client, year_2021, first):
    name = f'{first}HYPERLINK("http://x.example")'
    RegistrationFactory(organization=OrganizationFactory(name=name), performance_year=year_2021)

    [row] = read_csv(agent_client.get(EXPORT))

    assert row["organization_name"] == "'" + name
