"""A Staff User reads their organization's registration, and changes nothing (issue 27 #6).

Registration Details, the CAHPS registration page and both summaries open for any role of the
organization: for a Staff User without a button, form or edit link, the Security Official's page
less every control. Every write stays the Security Official's (tests/registrations/
test_views_auth.py and test_cahps_authorization.py walk the write URLs); a user without a role
gets 404. The left-hand navigation offers a Staff User only what their role opens.
"""

import re

import pytest
from django.urls import reverse

from registrations.models import ProgramStatus, Size, Source
from tests.factories import ContactFactory, RegistrationFactory, registered
from tests.test_list_queries import _queries

pytestmark = pytest.mark.django_db


def _main(response):
    """The page's <main>: what the page itself shows (the header's Sign Out form is the shell's)."""
    return re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)


def _nav(response):
    return re.search(r'<nav aria-label="Portal navigation".*?</nav>', response.content.decode(), re.S).group(
        0
    )


def _detail(organization, year=2021):
    return reverse("registration_detail", kwargs={"year": year, "organization_id": organization.pk})


def _cahps(organization, year=2023):
    return reverse("cahps_registration", kwargs={"year": year, "organization_id": organization.pk})


# What a Security Official's page has and a Staff User's must not.
CONTROLS = ("<form", "<button", "<input", "<select", "Edit<", "Delete", "Add New", "Cancel Registration")


@pytest.fixture
def registered_2021(practice, window_open_2021):
    registration = registered(practice, window_open_2021, size=Size.MEDIUM, web_interface=True, cahps=False)
    ContactFactory(
        registration=registration, first_name="Second", last_name="Contact", email="second@example.com"
    )
    return registration


def test_a_staff_user_reads_registration_details_without_any_control(sign_in, staff_user, registered_2021):
    response = sign_in(staff_user).get(_detail(registered_2021.organization))

    assert response.status_code == 200
    main = _main(response)
    assert registered_2021.registration_id in main
    assert "second@example.com" in main
    assert "You have the Staff User role for Chesapeake Family Medicine" in main
    assert "Download Registration Summary" in main
    assert "Recent changes" in main
    assert "Back to Connected Organizations" in main
    for control in CONTROLS:
        assert control not in main, control
    assert "deadline reminders" not in main


def test_the_security_official_sees_the_same_page_with_its_controls(
    sign_in, security_official, registered_2021
):
    main = _main(sign_in(security_official).get(_detail(registered_2021.organization)))

    assert "Cancel Registration" in main
    assert "Add New Contact" in main
    assert "<form" in main
    assert "You have the Staff User role" not in main
    assert "Download Registration Summary" in main


def test_a_staff_user_reads_the_cahps_page_without_any_control(
    sign_in, staff_user, practice, window_open_2023
):
    registration = RegistrationFactory(
        organization=practice,
        performance_year=window_open_2023,
        size=Size.SMALL,
        cahps_status=ProgramStatus.REGISTERED,
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    ContactFactory(
        registration=registration, first_name="Carla", last_name="Contact", email="carla@example.com"
    )

    response = sign_in(staff_user).get(_cahps(practice))

    assert response.status_code == 200
    main = _main(response)
    assert '<h1 class="margin-top-0 margin-bottom-1">CAHPS Registration</h1>' in main
    assert registration.registration_id in main
    assert "carla@example.com" in main
    assert "Download Group CAHPS Registration Summary" in main
    assert "Recent changes" in main
    for control in (*CONTROLS, "Email a confirmation", "Save size", "+ Add another contact"):
        assert control not in main, control


def test_a_staff_user_without_a_cahps_registration_goes_back_to_connected_organizations(
    sign_in, staff_user, practice, window_open_2023
):
    response = sign_in(staff_user).get(_cahps(practice))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("connected_organizations"))


def test_a_user_without_a_role_gets_404_on_every_page_a_staff_user_reads(
    sign_in, outsider, registered_2021, window_open_2021
):
    client = sign_in(outsider)
    org = {"year": 2021, "organization_id": registered_2021.organization_id}

    for name in ("registration_detail", "registration_summary", "registration_changes"):
        assert client.get(reverse(name, kwargs=org)).status_code == 404, name


def test_the_left_navigation_offers_a_staff_user_only_what_their_role_opens(
    sign_in, staff_user, security_official, registered_2021
):
    staff_nav = _nav(sign_in(staff_user).get(_detail(registered_2021.organization)))
    official_nav = _nav(sign_in(security_official).get(_detail(registered_2021.organization)))

    for nav in (staff_nav, official_nav):
        assert reverse("connected_organizations") in nav
    assert reverse("registration_home") in official_nav
    assert reverse("cahps_registration_home") in official_nav
    assert reverse("registration_home") not in staff_nav
    assert reverse("cahps_registration_home") not in staff_nav
    # Where the read-only page is: under Connected Organizations.
    assert 'class="usa-current" aria-current="page">Connected Organizations' in staff_nav


def test_a_staff_users_read_only_pages_run_as_many_queries_as_the_officials(
    sign_in, staff_user, security_official, practice, window_open_2021, year_2023
):
    registered(practice, window_open_2021, size=Size.MEDIUM, web_interface=False, cahps=False)
    RegistrationFactory(
        organization=practice,
        performance_year=year_2023,
        size=Size.SMALL,
        cahps_status=ProgramStatus.INCOMPLETE,
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    for url in (_detail(practice), _cahps(practice)):
        official = _queries(sign_in(security_official), url)
        assert _queries(sign_in(staff_user), url) == official, url
