"""The registration list of Django admin: columns, search, filters, and a fixed query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.text import capfirst

from organizations.models import Organization
from registrations.models import ProgramStatus, Size, Source
from tests.factories import (
    ApmEntityFactory,
    ContactFactory,
    OrganizationFactory,
    RegistrationFactory,
    SspAcoFactory,
    VirtualGroupFactory,
)

from .conftest import REGISTRATIONS

pytestmark = pytest.mark.django_db


def listed_ids(response):
    return [registration.registration_id for registration in response.context["cl"].result_list]


@pytest.fixture
def agent_client(staff_client, help_desk_agent):
    return staff_client(help_desk_agent)


def test_list_shows_the_columns_a_help_desk_agent_reads(agent_client, practice, year_2021):
    registration = RegistrationFactory(
        organization=practice,
        performance_year=year_2021,
        size=Size.LARGE,
        web_interface_status=ProgramStatus.REGISTERED,
        web_interface_source=Source.AUTOMATIC,
    )

    response = agent_client.get(REGISTRATIONS)

    page = response.content.decode()
    headers = [capfirst(str(header["text"])) for header in response.context["result_headers"]]
    assert headers[-9:] == [
        "Registration ID",
        "Organization name",
        "Identifier",
        "Year",
        "Size",
        "Web Interface",
        "CAHPS",
        "How registered",
        "Last change",
    ]
    assert registration.registration_id in page
    assert "Chesapeake Family Medicine" in page
    assert "TIN ***-**-6789" in page
    assert "123456789" not in page  # the full TIN only on the registration's own page
    assert "Web Interface: automatic" in page
    assert "100 or more" in page


def test_registration_page_shows_the_full_tin_to_staff(agent_client, practice, year_2021):
    registration = RegistrationFactory(organization=practice, performance_year=year_2021)

    response = agent_client.get(f"{REGISTRATIONS}{registration.pk}/change/")

    assert response.status_code == 200
    assert "TIN 123456789" in response.content.decode()


def test_cahps_only_year_shows_complete_and_not_offered(agent_client, year_2023):
    RegistrationFactory(
        performance_year=year_2023,
        cahps_status=ProgramStatus.REGISTERED,
        cahps_source=Source.SECURITY_OFFICIAL,
    )

    page = agent_client.get(REGISTRATIONS).content.decode()

    assert "Complete" in page
    assert "Not offered" in page


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("registration ID", True),
        ("registration ID in lower case without dashes", True),
        ("TIN with dashes", True),
        ("TIN digits", True),
        ("name in another case", True),
        ("two words of the name", True),
        ("contact e-mail", True),
        ("part of the contact e-mail", True),
        ("an unknown name", False),
    ],
)
def test_search_finds_a_registration_by_what_the_caller_reads_out(
    agent_client, practice, year_2021, typed, found
):
    registration = RegistrationFactory(organization=practice, performance_year=year_2021)
    ContactFactory(registration=registration, email="Jane.Roe@chesapeake-fm.example")
    RegistrationFactory(
        organization=OrganizationFactory(name="Harbor Point Pediatrics"), performance_year=year_2021
    )
    terms = {
        "registration ID": registration.registration_id,
        "registration ID in lower case without dashes": registration.registration_id[4:]
        .replace("-", "")
        .lower(),
        "TIN with dashes": "123-45-6789",
        "TIN digits": "123456789",
        "name in another case": "chesapeake",
        "two words of the name": "family chesapeake",
        "contact e-mail": "jane.roe@chesapeake-fm.example",
        "part of the contact e-mail": "jane.roe@",
        "an unknown name": "Allegheny",
    }

    response = agent_client.get(REGISTRATIONS, {"q": terms[typed]})

    assert listed_ids(response) == ([registration.registration_id] if found else [])


def test_search_by_virtual_group_and_apm_entity_id(agent_client, year_2021):
    virtual_group = RegistrationFactory(
        organization=VirtualGroupFactory(identifier="VG-12345"), performance_year=year_2021
    )
    apm_entity = RegistrationFactory(
        organization=ApmEntityFactory(identifier="A1234"), performance_year=year_2021
    )

    assert listed_ids(agent_client.get(REGISTRATIONS, {"q": "vg-12345"})) == [virtual_group.registration_id]
    assert listed_ids(agent_client.get(REGISTRATIONS, {"q": "A1234"})) == [apm_entity.registration_id]


def test_search_by_e_mail_lists_a_registration_once_even_when_several_contacts_match(
    agent_client, practice, year_2021
):
    registration = RegistrationFactory(organization=practice, performance_year=year_2021)
    ContactFactory(registration=registration, email="ana@chesapeake-fm.example")
    ContactFactory(registration=registration, email="ben@chesapeake-fm.example")

    response = agent_client.get(REGISTRATIONS, {"q": "chesapeake-fm.example"})

    assert listed_ids(response) == [registration.registration_id]
    assert response.context["cl"].result_count == 1


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"program_status": "wi_registered"}, ["wi"]),
        ({"program_status": "cahps_incomplete"}, ["incomplete"]),
        ({"program_status": "neither"}, ["incomplete", "small"]),
        ({"source": Source.SERVICE_CENTER}, ["incomplete"]),
        ({"size__exact": Size.SMALL}, ["small"]),
        ({"organization__kind__exact": Organization.Kind.APM_ENTITY}, ["aco"]),
        ({"organization__aco_type__exact": Organization.AcoType.SHARED_SAVINGS}, ["aco"]),
    ],
)
def test_filters_narrow_the_list(agent_client, year_2021, year_2023, params, expected):
    made = {
        "wi": RegistrationFactory(
            performance_year=year_2021,
            size=Size.LARGE,
            web_interface_status=ProgramStatus.REGISTERED,
            web_interface_source=Source.SECURITY_OFFICIAL,
        ),
        "incomplete": RegistrationFactory(
            performance_year=year_2023,
            cahps_status=ProgramStatus.INCOMPLETE,
            cahps_source=Source.SERVICE_CENTER,
        ),
        "small": RegistrationFactory(performance_year=year_2021, size=Size.SMALL),
        "aco": RegistrationFactory(
            organization=SspAcoFactory(),
            performance_year=year_2021,
            cahps_status=ProgramStatus.REGISTERED,
            cahps_source=Source.AUTOMATIC,
        ),
    }

    response = agent_client.get(REGISTRATIONS, params)

    assert sorted(listed_ids(response)) == sorted(made[key].registration_id for key in expected)


def test_performance_year_filter(agent_client, year_2020, year_2021):
    in_2020 = RegistrationFactory(performance_year=year_2020)
    RegistrationFactory(performance_year=year_2021)

    response = agent_client.get(REGISTRATIONS, {"performance_year__id__exact": year_2020.pk})

    assert listed_ids(response) == [in_2020.registration_id]


def test_latest_change_comes_first(agent_client, year_2021):
    older = RegistrationFactory(performance_year=year_2021)
    newer = RegistrationFactory(performance_year=year_2021)

    assert listed_ids(agent_client.get(REGISTRATIONS)) == [newer.registration_id, older.registration_id]


def test_the_list_costs_the_same_queries_for_two_or_twenty_registrations(agent_client, year_2021, year_2023):
    def queries_for_list():
        with CaptureQueriesContext(connection) as queries:
            assert agent_client.get(REGISTRATIONS).status_code == 200
        return len(queries)

    for _ in range(2):
        ContactFactory(registration=RegistrationFactory(performance_year=year_2021))
    few = queries_for_list()
    for _ in range(18):
        ContactFactory(registration=RegistrationFactory(performance_year=year_2023))

    assert queries_for_list() == few


def test_staff_cannot_add_or_delete_registrations(agent_client, staff_client, registration_admin, year_2021):
    registration = RegistrationFactory(performance_year=year_2021)
    admin_client = staff_client(registration_admin)

    assert admin_client.get(f"{REGISTRATIONS}add/").status_code == 403
    assert admin_client.get(f"{REGISTRATIONS}{registration.pk}/delete/").status_code == 403
    assert agent_client.get(f"{REGISTRATIONS}{registration.pk}/delete/").status_code == 403


def test_search_by_the_last_four_digits_of_a_tin_the_list_shows(agent_client, practice, year_2021):
    registration = RegistrationFactory(organization=practice, performance_year=year_2021)
    RegistrationFactory(organization=OrganizationFactory(identifier="987650000"), performance_year=year_2021)

    response = agent_client.get(REGISTRATIONS, {"q": "6789"})

    assert listed_ids(response) == [registration.registration_id]
