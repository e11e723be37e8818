"""Register and Edit CAHPS Registration: tabs, statuses, filter, search, pages [2023 §III.6–7, §VI]."""

import re

import pytest
from django.urls import reverse

from organizations.models import Role
from registrations.models import ProgramStatus, Size, Source
from tests.factories import (
    ApmEntityFactory,
    ContactFactory,
    OrganizationFactory,
    RegistrationFactory,
    SspAcoFactory,
    SubgroupFactory,
    VirtualGroupFactory,
    so_of,
)

pytestmark = pytest.mark.django_db


def list_url(year, **params):
    url = reverse("cahps_registration_list", kwargs={"year": year.year})
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params)
    return url


def registered(organization, year, status, *, size=Size.SMALL):
    registration = RegistrationFactory(
        organization=organization,
        performance_year=year,
        size=size,
        cahps_status=status,
        cahps_source=Source.SECURITY_OFFICIAL if status != ProgramStatus.NOT_REGISTERED else Source.NONE,
    )
    ContactFactory(registration=registration)
    return registration


def test_only_the_tabs_of_organization_types_the_user_has_are_shown(
    sign_in, security_official, window_open_2023
):
    so_of(security_official, VirtualGroupFactory(name="Blue Ridge Virtual Group"))

    page = sign_in(security_official).get(list_url(window_open_2023)).content.decode()

    assert "Virtual Groups" in page
    assert "Practices" in page
    assert "APM Entities" not in page
    # The guide's order: APM Entities, Virtual Groups, Practices; the first present is selected.
    assert page.index("Virtual Groups") < page.index("Practices")
    assert "Blue Ridge Virtual Group" in page
    assert "Chesapeake Family Medicine" not in page


def test_the_practices_tab_lists_practices_with_register_group_for_cahps(
    sign_in, security_official, practice, window_open_2023
):
    so_of(security_official, ApmEntityFactory(name="Capital Oncology Partners"))

    response = sign_in(security_official).get(list_url(window_open_2023, tab="practices"))
    page = response.content.decode()

    assert response.status_code == 200
    assert "Chesapeake Family Medicine" in page
    assert "***-**-6789" in page
    assert "123456789" not in page
    assert "Register Group for CAHPS" in page
    assert "Capital Oncology Partners" not in page
    assert reverse("cahps_register", args=[2023, practice.pk]) in page


def test_each_organization_shows_its_cahps_status_complete_incomplete_or_nothing(
    sign_in, security_official, practice, window_open_2023
):
    complete = so_of(security_official, OrganizationFactory(name="Alpha Complete Clinic"))
    incomplete = so_of(security_official, OrganizationFactory(name="Bravo Incomplete Clinic"))
    registered(complete, window_open_2023, ProgramStatus.REGISTERED)
    registered(incomplete, window_open_2023, ProgramStatus.INCOMPLETE)

    response = sign_in(security_official).get(list_url(window_open_2023, tab="practices"))
    rows = {row.organization.name: row for row in response.context["rows"]}

    assert rows["Alpha Complete Clinic"].status == "complete"
    assert rows["Bravo Incomplete Clinic"].status == "incomplete"
    assert rows["Chesapeake Family Medicine"].status == "not_started"
    page = response.content.decode()
    assert "status-check.svg" in page and "status-x.svg" in page
    assert "Download Group CAHPS Registration Summary" in page
    assert rows["Alpha Complete Clinic"].can_download
    assert not rows["Bravo Incomplete Clinic"].can_download


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("complete", {"Alpha Complete Clinic"}),
        ("incomplete", {"Bravo Incomplete Clinic"}),
        ("not-started", {"Chesapeake Family Medicine", "Delta Deleted Clinic"}),
        (
            "",
            {
                "Alpha Complete Clinic",
                "Bravo Incomplete Clinic",
                "Chesapeake Family Medicine",
                "Delta Deleted Clinic",
            },
        ),
    ],
)
def test_the_list_filters_by_registration_status(
    sign_in, security_official, practice, window_open_2023, status, expected
):
    registered(
        so_of(security_official, OrganizationFactory(name="Alpha Complete Clinic")),
        window_open_2023,
        ProgramStatus.REGISTERED,
    )
    registered(
        so_of(security_official, OrganizationFactory(name="Bravo Incomplete Clinic")),
        window_open_2023,
        ProgramStatus.INCOMPLETE,
    )
    # Deleted: the registration (and its ID) remain, the status is back to not started [2023 §VII].
    registered(
        so_of(security_official, OrganizationFactory(name="Delta Deleted Clinic")),
        window_open_2023,
        ProgramStatus.NOT_REGISTERED,
    )

    response = sign_in(security_official).get(list_url(window_open_2023, tab="practices", status=status))

    assert {row.organization.name for row in response.context["rows"]} == expected


def test_a_status_from_another_year_does_not_count(
    sign_in, security_official, practice, window_open_2023, year_2021
):
    registered(practice, year_2021, ProgramStatus.REGISTERED)

    response = sign_in(security_official).get(list_url(window_open_2023, tab="practices", status="complete"))

    assert response.context["rows"] == []
    assert "No practices match your search." in response.content.decode()


@pytest.mark.parametrize("query", ["Chesapeake", "chesapeake family", "123456789", "123-45-6789", "6789"])
def test_search_finds_an_organization_by_name_or_identifier(
    sign_in, security_official, practice, window_open_2023, query
):
    so_of(security_official, OrganizationFactory(name="Harbor Point Pediatrics", identifier="234500001"))

    response = sign_in(security_official).get(list_url(window_open_2023, tab="practices", q=query))

    assert [row.organization.name for row in response.context["rows"]] == ["Chesapeake Family Medicine"]


def test_search_by_virtual_group_id_on_its_tab(sign_in, security_official, window_open_2023):
    so_of(security_official, VirtualGroupFactory(name="Blue Ridge Virtual Group", identifier="VG-10042"))
    so_of(security_official, VirtualGroupFactory(name="Coastal Virtual Group", identifier="VG-20077"))

    response = sign_in(security_official).get(list_url(window_open_2023, tab="virtual-groups", q="vg-10042"))

    assert [row.organization.name for row in response.context["rows"]] == ["Blue Ridge Virtual Group"]


def test_an_unknown_status_filter_shows_every_status(sign_in, security_official, practice, window_open_2023):
    response = sign_in(security_official).get(list_url(window_open_2023, tab="practices", status="bogus"))

    assert [row.organization.name for row in response.context["rows"]] == ["Chesapeake Family Medicine"]


def test_shared_savings_aco_shows_automatically_registered_without_a_button(
    sign_in, security_official, window_open_2023
):
    aco = so_of(security_official, SspAcoFactory(name="Tidewater Accountable Care"))

    response = sign_in(security_official).get(list_url(window_open_2023, tab="apm-entities"))
    row = response.context["rows"][0]

    assert row.organization == aco
    assert row.status == "automatic"
    assert not row.can_register
    page = response.content.decode()
    assert "Automatically registered" in page
    assert "APM Performance Pathway (APP)" in page
    assert reverse("cahps_register", args=[2023, aco.pk]) not in page


def test_subgroups_are_listed_with_the_service_center_explanation(
    sign_in, security_official, practice, window_open_2023
):
    subgroup = so_of(security_official, SubgroupFactory(name="Cardiology Subgroup", parent=practice))

    response = sign_in(security_official).get(list_url(window_open_2023, tab="practices"))
    page = response.content.decode()

    assert "Cardiology Subgroup" in page
    assert "subgroup of Chesapeake Family Medicine" in page
    assert "QPP Service Center completes a subgroup" in page
    assert "1-866-288-8292" in page
    assert reverse("cahps_register", args=[2023, subgroup.pk]) not in page


def test_outside_the_window_the_list_is_read_only_and_says_when_it_closed(
    sign_in, security_official, practice, window_closed_2023
):
    registered(practice, window_closed_2023, ProgramStatus.REGISTERED)

    page = sign_in(security_official).get(list_url(window_closed_2023, tab="practices")).content.decode()

    assert "closed on Friday, June 30, 2023 at 8:00 p.m. ET" in page
    assert "Register Group for CAHPS</button>" not in page
    assert "View CAHPS Registration" in page
    assert "Download Group CAHPS Registration Summary" in page


def test_a_staff_user_without_the_security_official_role_is_refused(sign_in, staff_user, window_open_2023):
    response = sign_in(staff_user).get(list_url(window_open_2023))

    assert response.status_code == 403
    page = response.content.decode()
    assert "You need the Security Official role" in page
    assert "Chesapeake Family Medicine" not in page


def test_organizations_of_other_security_officials_are_never_listed(
    sign_in, security_official, practice, outsider, window_open_2023
):
    so_of(outsider, OrganizationFactory(name="Someone Else's Practice"))

    page = sign_in(security_official).get(list_url(window_open_2023, tab="practices")).content.decode()

    assert "Someone Else" not in page


def test_a_year_with_the_web_interface_goes_to_its_own_registration_page(
    sign_in, security_official, window_open_2021
):
    response = sign_in(security_official).get(list_url(window_open_2021))

    assert response.status_code == 302
    assert response.url == reverse("registration_list", kwargs={"year": 2021})


def test_the_registration_entry_leads_a_cahps_only_year_here(sign_in, security_official, window_open_2023):
    response = sign_in(security_official).get(reverse("registration_home") + "?year=2023")

    assert response.status_code == 200
    assert (
        f'href="{list_url(window_open_2023)}">Register and Edit CAHPS Registration'
        in response.content.decode()
    )


def test_three_hundred_organizations_are_paginated_filtered_and_searched(
    sign_in, security_official, window_open_2023
):
    organizations = OrganizationFactory.create_batch(300)
    Role.objects.bulk_create(
        [
            Role(user=security_official, organization=o, kind=Role.Kind.SECURITY_OFFICIAL)
            for o in organizations
        ]
    )
    for organization in organizations[:40]:
        registered(organization, window_open_2023, ProgramStatus.REGISTERED)
    for organization in organizations[40:50]:
        registered(organization, window_open_2023, ProgramStatus.INCOMPLETE)
    client = sign_in(security_official)

    first = client.get(list_url(window_open_2023, tab="practices"))
    complete = client.get(list_url(window_open_2023, tab="practices", status="complete", page=2))
    incomplete = client.get(list_url(window_open_2023, tab="practices", status="incomplete"))
    not_started = client.get(list_url(window_open_2023, tab="practices", status="not-started"))
    target = organizations[123]
    searched = client.get(list_url(window_open_2023, tab="practices", q=target.identifier))

    assert len(first.context["rows"]) == 25
    # 300 and the fixture's Chesapeake Family Medicine.
    assert first.context["page_obj"].paginator.count == 301
    assert "Showing 1–25 of 301 practices." in first.content.decode()
    assert complete.context["page_obj"].paginator.count == 40
    assert len(complete.context["rows"]) == 15
    assert all(row.status == "complete" for row in complete.context["rows"])
    assert incomplete.context["page_obj"].paginator.count == 10
    assert not_started.context["page_obj"].paginator.count == 251
    assert [row.organization for row in searched.context["rows"]] == [target]
    # The page links keep the filter: page 2 of the Complete list.
    assert "status=complete" in complete.content.decode()


def test_the_list_runs_a_fixed_number_of_queries_whatever_the_number_of_organizations(
    sign_in, security_official, window_open_2023, django_assert_max_num_queries
):
    client = sign_in(security_official)

    def make(count):
        organizations = OrganizationFactory.create_batch(count)
        Role.objects.bulk_create(
            [
                Role(user=security_official, organization=o, kind=Role.Kind.SECURITY_OFFICIAL)
                for o in organizations
            ]
        )
        for organization in organizations[::3]:
            registered(organization, window_open_2023, ProgramStatus.REGISTERED)
        organizations.append(so_of(security_official, SubgroupFactory(parent=organizations[0])))

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    complete = list_url(window_open_2023, tab="practices", status="complete")
    make(3)
    with CaptureQueriesContext(connection) as one_page:
        assert client.get(complete).status_code == 200
    make(100)  # 35 complete practices: two pages
    with CaptureQueriesContext(connection) as two_pages:
        assert client.get(complete).status_code == 200
    make(300)

    with django_assert_max_num_queries(len(two_pages.captured_queries)):
        response = client.get(complete)
    with django_assert_max_num_queries(len(two_pages.captured_queries)):
        client.get(list_url(window_open_2023, tab="practices", q="Practice"))

    assert len(response.context["rows"]) == 25
    # A filtered or searched list is counted with its first page's rows (FirstPagePaginator,
    # counted_with_rows): one page or several, the same queries.
    assert len(one_page.captured_queries) == len(two_pages.captured_queries)


def test_before_the_window_opens_the_list_says_when_it_opens(
    sign_in, security_official, practice, year_2023, time_machine
):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    time_machine.move_to(datetime(2023, 4, 3, 9, 59, tzinfo=ZoneInfo("America/New_York")), tick=False)

    response = sign_in(security_official).get(list_url(year_2023, tab="practices"))

    page = response.content.decode()
    assert "opens on Monday, April 3, 2023 at 10:00 a.m. ET" in page
    assert not response.context["rows"][0].can_register
    assert "Register Group for CAHPS</button>" not in page


def test_no_status_word_shows_where_no_registration_was_started(
    sign_in, security_official, practice, window_open_2023
):
    # [2023 §VI]: "No status information indicates no registration has been started."
    page = sign_in(security_official).get(list_url(window_open_2023, tab="practices")).content.decode()

    row = page[page.index("Chesapeake Family Medicine") :]
    row = row[: row.index("</tr>")]
    assert '<span class="usa-sr-only">Not started</span>' in row
    assert "qpp-status--not_started" not in row


def test_a_staff_user_is_told_the_2023_words_submit_modify_or_delete(sign_in, staff_user, window_open_2023):
    # [2023 §III.7]: "This role is necessary to submit, modify, or delete a registration."
    page = sign_in(staff_user).get(reverse("registration_home")).content.decode()

    assert "necessary to submit, modify, or delete a registration" in page
    connected = sign_in(staff_user).get(reverse("connected_organizations")).content.decode()
    assert "to submit, modify, or delete" in connected


def test_the_contact_section_has_the_guide_heading(sign_in, security_official, practice, window_open_2023):
    RegistrationFactory(organization=practice, performance_year=window_open_2023, size="")

    page = (
        sign_in(security_official)
        .get(reverse("cahps_registration", kwargs={"year": 2023, "organization_id": practice.pk}))
        .content.decode()
    )

    assert ">2. Register for CAHPS: Add a Contact</h2>" in page
    # One information banner: the window and auto-save said once [issue: four banners stacked].
    assert page.count("usa-alert--info") == 1
    assert page.lower().count("saved automatically") == 1


def test_search_looks_through_every_tab_and_says_which(
    sign_in, security_official, practice, window_open_2023
):
    so_of(security_official, VirtualGroupFactory(name="Chesapeake Virtual Group", identifier="VG-10042"))

    response = sign_in(security_official).get(list_url(window_open_2023, tab="practices", q="chesapeake"))

    names = sorted(row.organization.name for row in response.context["rows"])
    assert names == ["Chesapeake Family Medicine", "Chesapeake Virtual Group"]
    page = response.content.decode()
    assert "(in Virtual Groups)" in page and "(in Practices)" in page
    assert "matching organizations of every tab" in page


def test_search_results_from_several_tabs_are_not_captioned_as_the_current_tab(
    sign_in, security_official, practice, window_open_2023
):
    # [issue 28 #17]: an APM Entity found from the Practices tab sat under "Practices: ...".
    so_of(security_official, ApmEntityFactory(name="Chesapeake Oncology Partners"))

    page = (
        sign_in(security_official)
        .get(list_url(window_open_2023, tab="practices", q="chesapeake"))
        .content.decode()
    )

    caption = re.search(r"<caption[^>]*>(.*?)</caption>", page).group(1)
    heading = re.search(r'<h2 id="organizations-heading">(.*?)</h2>', page).group(1)
    assert caption == "Organizations of every type matching “chesapeake”: CAHPS registration status for 2023"
    assert heading == "Search results in every organization type"
    assert "Practices: CAHPS registration status" not in page


def test_a_tab_without_a_search_keeps_its_caption(sign_in, security_official, practice, window_open_2023):
    page = sign_in(security_official).get(list_url(window_open_2023, tab="practices")).content.decode()

    assert re.search(r"<caption[^>]*>(.*?)</caption>", page).group(1) == (
        "Practices: CAHPS registration status for 2023"
    )
    assert '<h2 id="organizations-heading">Practices</h2>' in page


@pytest.mark.parametrize("query", ["1234", "2345", "12345"])
def test_search_matches_only_the_tin_digits_the_page_shows(
    sign_in, security_official, practice, window_open_2023, query
):
    # practice's TIN 123456789 shows as ***-**-6789: its hidden digits never match.
    response = sign_in(security_official).get(list_url(window_open_2023, tab="practices", q=query))

    assert response.context["rows"] == []


def test_search_accepts_a_registration_id(sign_in, security_official, practice, window_open_2023):
    registration = registered(practice, window_open_2023, ProgramStatus.INCOMPLETE)
    so_of(security_official, OrganizationFactory(name="Harbor Point Pediatrics", identifier="234500001"))

    for typed in (registration.registration_id, registration.registration_id.lower()):
        response = sign_in(security_official).get(list_url(window_open_2023, tab="practices", q=typed))
        assert [row.organization.name for row in response.context["rows"]] == ["Chesapeake Family Medicine"]


def test_the_filter_form_is_sent_to_the_list_itself(sign_in, security_official, practice, window_open_2023):
    page = sign_in(security_official).get(list_url(window_open_2023, tab="practices")).content.decode()

    filter_form = re.search(r'<form method="get"[^>]*role="search"[^>]*>', page).group(0)
    assert f'action="{list_url(window_open_2023)}"' in filter_form
    assert 'action=""' not in page
