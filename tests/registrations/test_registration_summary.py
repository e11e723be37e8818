"""Download Registration Summary for the years with the CMS Web Interface (2020/2021 screens)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from organizations.models import Role
from registrations.models import Program, Size
from registrations.services import registration_get_or_create, registration_submit
from tests.factories import ContactFactory, RegistrationFactory, RoleFactory, UserFactory
from tests.registrations.test_cahps_summary import pdf_text

pytestmark = pytest.mark.django_db

EASTERN = ZoneInfo("America/New_York")


def summary_url(organization, year=2021):
    return reverse("registration_summary", kwargs={"year": year, "organization_id": organization.pk})


@pytest.fixture
def registered(practice, window_open_2021, security_official, time_machine):
    """Registered for the Web Interface through the services on Tue 4 May 2021 at noon ET."""
    registration = registration_get_or_create(
        organization=practice, year=window_open_2021, by=security_official
    )
    ContactFactory(registration=registration)
    registration_submit(
        organization=practice,
        year=window_open_2021,
        program=Program.WEB_INTERFACE,
        size=Size.MEDIUM,
        by=security_official,
    )
    time_machine.move_to(datetime(2021, 5, 5, 9, 30, tzinfo=EASTERN), tick=False)
    registration.refresh_from_db()
    return registration


def test_the_summary_is_a_pdf_with_everything_a_person_would_file(sign_in, security_official, registered):
    response = sign_in(security_official).get(summary_url(registered.organization))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="Registration-Summary-2021-{registered.registration_id}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response)
    assert "Registration Summary" in text
    assert "CMS Web Interface and CAHPS for MIPS Survey — Performance Year 2021" in text
    assert registered.registration_id in text
    # Each program, how and when (ET) and by whom.
    assert (
        "CMS Web Interface Registered by the Security Official on Tuesday, May 4, 2021 at 12:00 p.m. ET: "
        "Sam Official (User ID so-user)"
    ) in text
    assert "CAHPS for MIPS Survey Not registered" in text
    # The organization with its TIN masked, the size and the contacts.
    assert "Chesapeake Family Medicine" in text
    assert "***-**-6789" in text and "123456789" not in text
    assert "25–99 clinicians" in text
    contact = registered.contacts.get()
    assert f"{contact.full_name} {contact.phone} {contact.email}" in text
    assert "received an email when the registration was submitted" in text
    assert "until Wednesday, June 30, 2021 at 8:00 p.m. ET" in text
    assert "Downloaded Wednesday, May 5, 2021 at 9:30 a.m. ET by Sam Official (User ID so-user)" in text


def test_an_automatic_registration_says_so(sign_in, security_official, practice, window_open_2021):
    RegistrationFactory(
        organization=practice,
        performance_year=window_open_2021,
        size=Size.LARGE,
        web_interface_status="registered",
        web_interface_source="automatic",
    )

    text = pdf_text(sign_in(security_official).get(summary_url(practice)))

    assert "CMS Web Interface Registered automatically" in text


def test_after_the_window_closed_the_summary_still_downloads(
    sign_in, security_official, registered, time_machine
):
    time_machine.move_to(datetime(2021, 7, 1, 9, 0, tzinfo=EASTERN), tick=False)

    text = pdf_text(sign_in(security_official).get(summary_url(registered.organization)))

    assert "Registration closed on Wednesday, June 30, 2021 at 8:00 p.m. ET." in text


def test_no_summary_before_the_organization_is_registered(
    sign_in, security_official, practice, window_open_2021
):
    RegistrationFactory(organization=practice, performance_year=window_open_2021, size=Size.MEDIUM)

    assert sign_in(security_official).get(summary_url(practice)).status_code == 404


def test_a_cahps_only_year_has_its_own_summary(sign_in, security_official, practice, window_open_2023):
    assert sign_in(security_official).get(summary_url(practice, 2023)).status_code == 404


def test_anyone_with_a_role_downloads_it_and_nobody_else(sign_in, registered, staff_user, outsider, client):
    url = summary_url(registered.organization)

    # A Staff User reads what they cannot change (issue 27 #6).
    staff = sign_in(staff_user).get(url)
    assert staff.status_code == 200
    assert staff["Content-Type"] == "application/pdf"
    assert sign_in(outsider).get(url).status_code == 404


def test_a_security_official_of_another_organization_gets_nothing(sign_in, registered):
    other = UserFactory(username="other-so")
    RoleFactory(user=other, kind=Role.Kind.SECURITY_OFFICIAL)

    assert sign_in(other).get(summary_url(registered.organization)).status_code == 404


def test_overview_and_congratulations_offer_the_download(sign_in, security_official, registered):
    client = sign_in(security_official)
    url = summary_url(registered.organization)

    overview = client.get(reverse("registration_list", kwargs={"year": 2021})).content.decode()
    congratulations = client.get(
        reverse(
            "registration_congratulations",
            kwargs={"year": 2021, "organization_id": registered.organization_id, "program": "web-interface"},
        )
    ).content.decode()

    assert f'href="{url}"' in overview
    assert f'href="{url}"' in congratulations


def test_overview_offers_no_download_before_registering(
    sign_in, security_official, practice, window_open_2021
):
    page = (
        sign_in(security_official).get(reverse("registration_list", kwargs={"year": 2021})).content.decode()
    )

    assert summary_url(practice) not in page


def test_the_security_official_cannot_post_to_it(sign_in, security_official, registered):
    assert sign_in(security_official).post(summary_url(registered.organization)).status_code == 405
