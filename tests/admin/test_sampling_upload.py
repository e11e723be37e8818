"""The fall sampling notices: staff upload a CSV, each registration records the outcome, its
contacts are e-mailed once, and the organization's page says what it means [2020 "Is it
possible for my organization to be unable to report through the CMS Web Interface?";
"…administer the CAHPS for MIPS Survey?"]."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from registrations.models import ProgramStatus, SamplingNotice, Size, Source
from tests.factories import ContactFactory, RegistrationFactory

from .conftest import messages_of

pytestmark = pytest.mark.django_db

UPLOAD = "/admin/registrations/samplingnotice/upload/"


@pytest.fixture
def registered_2021(year_2021, practice):
    """Two 2021 Web Interface registrations with a contact each, and one CAHPS-only."""
    made = []
    for organization in (practice, None):
        extra = {"organization": organization} if organization else {}
        registration = RegistrationFactory(
            performance_year=year_2021,
            size=Size.LARGE,
            web_interface_status=ProgramStatus.REGISTERED,
            web_interface_source=Source.SECURITY_OFFICIAL,
            **extra,
        )
        ContactFactory(registration=registration, email=f"c{registration.pk}@example.com")
        made.append(registration)
    made.append(
        RegistrationFactory(
            performance_year=year_2021,
            cahps_status=ProgramStatus.REGISTERED,
            cahps_source=Source.SECURITY_OFFICIAL,
        )
    )
    return made


def upload(client, text, *, outcome="no_medicare_patients", name="fall-2021.csv"):
    return client.post(
        UPLOAD,
        {
            "performance_year": "2021",
            "outcome": outcome,
            "file": SimpleUploadedFile(name, text.encode(), content_type="text/csv"),
        },
        follow=True,
    )


def test_an_upload_records_each_notice_and_emails_every_contact_once(
    staff_client, registration_admin, registered_2021, mailoutbox, django_capture_on_commit_callbacks
):
    first, second, _ = registered_2021
    text = f"registration_id,note\n{first.registration_id},0 patients\n{second.registration_id.lower()},\n"
    client = staff_client(registration_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, text)
    assert "Recorded 2 sampling notice(s) for 2021 and queued an e-mail to each of their contacts." in (
        messages_of(response)
    )
    assert sorted(m.to[0] for m in mailoutbox) == sorted(f"c{r.pk}@example.com" for r in (first, second))
    assert "eCQMs or MIPS CQMs" in mailoutbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, text)  # the same file again
    assert "Recorded 0 sampling notice(s)" in messages_of(response)[0]
    assert len(mailoutbox) == 2
    assert SamplingNotice.objects.count() == 2


def test_a_bad_row_is_named_and_nothing_is_recorded(
    staff_client, registration_admin, registered_2021, mailoutbox, django_capture_on_commit_callbacks
):
    first, _, cahps_only = registered_2021
    text = f"registration_id\n{first.registration_id}\nQ2021-NOPE0000\n{cahps_only.registration_id}\n"

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(staff_client(registration_admin), text)

    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was recorded: fix these rows and upload the file again." in page
    assert "Row 3: no 2021 registration has the ID Q2021-NOPE0000." in page
    assert (
        f"Row 4: {cahps_only.registration_id}" in page
        and "is not registered for the CMS Web Interface" in page
    )
    assert SamplingNotice.objects.count() == 0
    assert mailoutbox == []


def test_cahps_rows_can_name_the_tin(staff_client, registration_admin, registered_2021):
    cahps_only = registered_2021[2]
    tin = cahps_only.organization.identifier
    text = f"TIN\n{tin[:3]}-{tin[3:5]}-{tin[5:]}\n"

    upload(staff_client(registration_admin), text, outcome="cahps_sample_not_met")

    assert SamplingNotice.objects.get().registration == cahps_only


def test_help_desk_agents_see_notices_but_cannot_upload(staff_client, help_desk_agent):
    client = staff_client(help_desk_agent)

    assert client.get("/admin/registrations/samplingnotice/").status_code == 200
    assert client.get(UPLOAD).status_code == 403


def test_the_organization_page_shows_the_notice_and_what_it_means(
    staff_client, registration_admin, registered_2021, sign_in, security_official, practice, time_machine
):
    upload(staff_client(registration_admin), f"registration_id\n{registered_2021[0].registration_id}\n")

    response = sign_in(security_official).get(f"/registration/2021/{practice.pk}/")
    page = html.unescape(response.content.decode())

    assert "CMS Web Interface: sampling result" in page
    assert "It can't submit quality data through the CMS Web Interface." in page
    assert "eCQMs or MIPS CQMs" in page
