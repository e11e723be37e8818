"""Download Group CAHPS Registration Summary: a PDF to keep on file [2023 §IV.3, §VI]."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from registrations.models import Program, ProgramStatus, Size
from registrations.services import registration_get_or_create, registration_submit
from tests.factories import ContactFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

EASTERN = ZoneInfo("America/New_York")


def summary_url(organization, year=2023):
    return reverse("cahps_summary", kwargs={"year": year, "organization_id": organization.pk})


def pdf_text(response):
    reader = PdfReader(io.BytesIO(response.content))
    # Lines wrap where the page ends: compare words, not line breaks.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def completed(practice, window_open_2023, security_official, time_machine):
    """Completed through the services on Mon 15 May 2023 at noon ET by the Security Official."""
    registration = registration_get_or_create(
        organization=practice, year=window_open_2023, by=security_official
    )
    ContactFactory(
        registration=registration,
        first_name="Dana",
        last_name="Sullivan",
        phone="(410) 555-0142",
        email="dana.sullivan@example.com",
    )
    ContactFactory(registration=registration, first_name="Half", last_name="Typed", phone="", email="")
    registration_submit(
        organization=practice,
        year=window_open_2023,
        program=Program.CAHPS,
        size=Size.MEDIUM,
        by=security_official,
    )
    # Downloaded the next morning.
    time_machine.move_to(datetime(2023, 5, 16, 9, 30, tzinfo=EASTERN), tick=False)
    registration.refresh_from_db()
    return registration


def test_the_summary_is_a_pdf_with_everything_a_person_would_file(sign_in, security_official, completed):
    response = sign_in(security_official).get(summary_url(completed.organization))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="CAHPS-Registration-Summary-2023-{completed.registration_id}.pdf"'
    )
    text = pdf_text(response)
    for expected in (
        "Group CAHPS Registration Summary",
        "Performance Year 2023",
        completed.registration_id,
        "Chesapeake Family Medicine",
        "***-**-6789",
        "25–99 clinicians",
        "Complete",
        "Monday, May 15, 2023 at 12:00 p.m. ET by Sam Official (User ID so-user)",
        "Dana Sullivan",
        "(410) 555-0142",
        "dana.sullivan@example.com",
        "Contacts receiving updates (1)",
        "No confirmation email has been sent for this registration.",
        "1-866-288-8292",
        "Downloaded Tuesday, May 16, 2023 at 9:30 a.m. ET by Sam Official",
    ):
        assert expected in text, expected
    # The TIN is masked; a half-typed contact is not listed as receiving updates.
    assert "123456789" not in text
    assert "Half Typed" not in text
    assert mail.outbox == []


def test_the_summary_says_who_completed_it_when_a_contact_completed_it(
    sign_in, security_official, practice, window_open_2023, time_machine
):
    registration = registration_get_or_create(
        organization=practice, year=window_open_2023, by=security_official
    )
    registration_submit(
        organization=practice,
        year=window_open_2023,
        program=Program.CAHPS,
        size=Size.SMALL,
        by=security_official,
    )
    time_machine.move_to(datetime(2023, 6, 1, 15, 5, tzinfo=EASTERN), tick=False)
    client = sign_in(security_official)
    client.post(
        reverse("cahps_contact_add", kwargs={"year": 2023, "organization_id": practice.pk}),
        {"first_name": "Dana", "last_name": "Sullivan", "phone": "4105550142", "email": "d@example.com"},
    )
    registration.refresh_from_db()
    assert registration.cahps_status == ProgramStatus.REGISTERED

    text = pdf_text(client.get(summary_url(practice)))

    assert "Thursday, June 1, 2023 at 3:05 p.m. ET by Sam Official" in text


def test_an_incomplete_registration_has_no_summary(sign_in, security_official, practice, window_open_2023):
    RegistrationFactory(
        organization=practice,
        performance_year=window_open_2023,
        size=Size.SMALL,
        cahps_status=ProgramStatus.INCOMPLETE,
        cahps_source="security_official",
    )

    client = sign_in(security_official)

    assert client.get(summary_url(practice)).status_code == 404
    page = client.get(reverse("cahps_registration", args=[2023, practice.pk])).content.decode()
    assert "data-summary-link hidden" in page


def test_the_summary_can_be_downloaded_after_the_window_closes(
    sign_in, security_official, completed, time_machine
):
    time_machine.move_to(datetime(2023, 7, 3, 9, 0, tzinfo=EASTERN), tick=False)

    response = sign_in(security_official).get(summary_url(completed.organization))

    assert response.status_code == 200
    assert completed.registration_id in pdf_text(response)


def test_a_staff_user_downloads_the_summary_and_an_outsider_cannot(sign_in, staff_user, outsider, completed):
    # A Staff User reads what they cannot change (issue 27 #6).
    response = sign_in(staff_user).get(summary_url(completed.organization))
    assert response.status_code == 200
    assert completed.registration_id in pdf_text(response)
    assert sign_in(outsider).get(summary_url(completed.organization)).status_code == 404


def test_the_summary_says_when_and_to_whom_a_confirmation_was_emailed(
    sign_in, security_official, completed, time_machine, django_capture_on_commit_callbacks
):
    # [issue 28 #16]: after Email a confirmation to the contacts, the PDF no longer says none is sent.
    time_machine.move_to(datetime(2023, 5, 16, 10, 15, tzinfo=EASTERN), tick=False)
    client = sign_in(security_official)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("cahps_confirmation", kwargs={"year": 2023, "organization_id": completed.organization.pk})
        )
    assert [message.to for message in mail.outbox] == [["dana.sullivan@example.com"]]

    text = pdf_text(client.get(summary_url(completed.organization)))

    assert "no confirmation email" not in text.lower()
    assert "time a Security Official selected Email a confirmation to the contacts" in text
    assert "Tuesday, May 16, 2023 at 10:15 a.m. ET Sent to dana.sullivan@example.com." in text
