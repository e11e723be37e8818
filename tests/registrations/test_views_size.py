"""Update Organization Size: *Edit* next to Size, confirm or cancel [2020 §V]."""

import pytest
from django.core import mail
from django.urls import reverse

from registrations.models import ProgramStatus, Size, Source
from tests.factories import ContactFactory, OrganizationFactory, RegistrationFactory, RoleFactory

pytestmark = pytest.mark.django_db


def size_url(organization, year=2021):
    return reverse("registration_size", kwargs={"year": year, "organization_id": organization.pk})


@pytest.fixture
def web_interface(practice, window_open_2021):
    """Registered for the Web Interface (automatically, from last year) and for CAHPS, 25–99."""
    registration = RegistrationFactory(
        organization=practice,
        performance_year=window_open_2021,
        size=Size.MEDIUM,
        web_interface_status=ProgramStatus.REGISTERED,
        web_interface_source=Source.AUTOMATIC,
        cahps_status=ProgramStatus.REGISTERED,
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    ContactFactory(registration=registration, email="ada@example.com")
    return registration


def test_the_form_starts_at_the_current_size(sign_in, security_official, practice, web_interface):
    page = sign_in(security_official).get(size_url(practice)).content.decode()

    assert '<option value="25-99" selected>' in page


def test_a_size_that_keeps_the_web_interface_changes_at_once(
    sign_in, security_official, practice, web_interface, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_in(security_official).post(size_url(practice), {"size": Size.LARGE})

    assert response.status_code == 302
    web_interface.refresh_from_db()
    assert (web_interface.size, web_interface.web_interface_status) == (Size.LARGE, ProgramStatus.REGISTERED)
    assert [message.to for message in mail.outbox] == [["ada@example.com"]]


def test_2_24_warns_that_the_web_interface_will_be_cancelled_and_changes_nothing_yet(
    sign_in, security_official, practice, web_interface
):
    response = sign_in(security_official).post(size_url(practice), {"size": Size.SMALL})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Changing the organization size to 2–24 clinicians will cancel this organization" in page
    assert "only available to organizations with 25 or more clinicians" in page
    assert ">Confirm</button>" in page
    assert 'name="confirm_web_interface_cancellation"' in page
    web_interface.refresh_from_db()
    assert (web_interface.size, web_interface.web_interface_status) == (Size.MEDIUM, ProgramStatus.REGISTERED)


def test_confirming_2_24_cancels_the_web_interface_and_keeps_cahps_and_the_id(
    sign_in, security_official, practice, web_interface, django_capture_on_commit_callbacks
):
    client = sign_in(security_official)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            size_url(practice), {"size": Size.SMALL, "confirm_web_interface_cancellation": "True"}
        )

    assert response.status_code == 302
    registration_id = web_interface.registration_id
    web_interface.refresh_from_db()
    assert web_interface.size == Size.SMALL
    assert web_interface.web_interface_status == ProgramStatus.NOT_REGISTERED
    assert web_interface.cahps_status == ProgramStatus.REGISTERED
    assert web_interface.registration_id == registration_id
    page = client.get(response.url).content.decode()
    assert "Its CMS Web Interface registration was cancelled" in page
    assert registration_id in page
    assert len(mail.outbox) == 1 and registration_id in mail.outbox[0].body


def test_no_size_chosen_is_refused_next_to_the_field(sign_in, security_official, practice, web_interface):
    response = sign_in(security_official).post(size_url(practice), {"size": ""})

    assert "Select the organization size." in response.content.decode()
    web_interface.refresh_from_db()
    assert web_interface.size == Size.MEDIUM


def test_another_organizations_size_cannot_be_changed(sign_in, security_official, window_open_2021):
    other = OrganizationFactory()
    RoleFactory(organization=other)
    registration = RegistrationFactory(
        organization=other, performance_year=window_open_2021, size=Size.MEDIUM
    )
    client = sign_in(security_official)

    assert client.get(size_url(other)).status_code == 404
    assert client.post(size_url(other), {"size": Size.SMALL}).status_code == 404
    registration.refresh_from_db()
    assert registration.size == Size.MEDIUM


def test_outside_the_window_the_size_cannot_change(sign_in, security_official, practice, window_closed_2021):
    registration = RegistrationFactory(
        organization=practice, performance_year=window_closed_2021, size=Size.MEDIUM
    )
    client = sign_in(security_official)

    assert "closed on Wednesday, June 30, 2021" in client.get(size_url(practice)).content.decode()
    assert client.post(size_url(practice), {"size": Size.LARGE}).status_code == 403
    registration.refresh_from_db()
    assert registration.size == Size.MEDIUM
