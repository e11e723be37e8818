"""A CAHPS-only year's confirmation e-mail: none by default [2023 §IV.3], one when the
Security Official asks for it."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from qpp_registration.core.background.models import OutgoingEmail
from registrations.models import Program, Size
from registrations.services import registration_get_or_create, registration_submit
from tests.factories import ContactFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def confirmation_url(organization, year=2023):
    return reverse("cahps_confirmation", kwargs={"year": year, "organization_id": organization.pk})


def page_url(organization, year=2023):
    return reverse("cahps_registration", kwargs={"year": year, "organization_id": organization.pk})


@pytest.fixture
def complete(practice, window_open_2023, security_official, django_capture_on_commit_callbacks):
    """Completed through the services, with two complete contacts and a half-typed one."""
    registration = registration_get_or_create(
        organization=practice, year=window_open_2023, by=security_official
    )
    ContactFactory(registration=registration, first_name="Ada", email="ada@example.com")
    ContactFactory(registration=registration, first_name="Bo", email="bo@example.com")
    ContactFactory(registration=registration, first_name="Half", email="", phone="")
    with django_capture_on_commit_callbacks(execute=True):
        registration_submit(
            organization=practice,
            year=window_open_2023,
            program=Program.CAHPS,
            size=Size.SMALL,
            by=security_official,
        )
    registration.refresh_from_db()
    return registration


def test_completing_a_cahps_registration_sends_no_email(complete):
    assert mail.outbox == []
    assert not OutgoingEmail.objects.exists()


def test_the_page_offers_the_confirmation_once_complete(sign_in, security_official, complete):
    page = sign_in(security_official).get(page_url(complete.organization)).content.decode()

    assert f'action="{confirmation_url(complete.organization)}"' in page
    assert "Email a confirmation to the contacts" in page


def test_asking_emails_every_complete_contact_after_commit(
    sign_in, security_official, complete, django_capture_on_commit_callbacks
):
    client = sign_in(security_official)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(confirmation_url(complete.organization))
        assert mail.outbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()

    assert response.status_code == 302
    assert response.url == page_url(complete.organization)
    assert sorted(message.to[0] for message in mail.outbox) == ["ada@example.com", "bo@example.com"]
    message = mail.outbox[0]
    assert complete.registration_id in message.subject
    assert "registered for the CAHPS for MIPS Survey for performance year 2023" in message.body
    assert "CAHPS for MIPS Survey: Complete" in message.body
    page = client.get(response.url).content.decode()
    assert f"quoting registration ID {complete.registration_id} is on its way to 2 contacts." in page


def test_asking_twice_before_anything_changes_sends_it_once(
    sign_in, security_official, complete, django_capture_on_commit_callbacks
):
    client = sign_in(security_official)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirmation_url(complete.organization))
        client.post(confirmation_url(complete.organization))

    assert len(mail.outbox) == 2


def test_an_incomplete_registration_is_refused_with_the_reason(
    sign_in, security_official, practice, window_open_2023
):
    RegistrationFactory(organization=practice, performance_year=window_open_2023, size=Size.SMALL)
    client = sign_in(security_official)

    response = client.post(confirmation_url(practice), follow=True)

    assert "The confirmation e-mail can be sent once the CAHPS registration is complete." in (
        response.content.decode()
    )
    assert not OutgoingEmail.objects.exists()


@pytest.mark.parametrize("persona", ["staff_user", "outsider"])
def test_nobody_else_can_send_it(request, sign_in, complete, persona):
    response = sign_in(request.getfixturevalue(persona)).post(confirmation_url(complete.organization))

    assert response.status_code in {403, 404}
    assert not OutgoingEmail.objects.exists()


def test_a_year_with_the_web_interface_has_no_such_button(
    sign_in, security_official, practice, window_open_2021
):
    response = sign_in(security_official).post(confirmation_url(practice, 2021))

    assert response.status_code == 404


def test_after_the_window_closed_it_is_refused(sign_in, security_official, complete, time_machine):
    time_machine.move_to(datetime(2023, 7, 1, 9, 0, tzinfo=ZoneInfo("America/New_York")), tick=False)
    client = sign_in(security_official)

    response = client.post(confirmation_url(complete.organization), follow=True)

    assert "Registration for performance year 2023 closed on Friday, June 30, 2023 at 8:00 p.m. ET." in (
        response.content.decode()
    )
    assert "Email a confirmation to the contacts" not in response.content.decode()
    assert not OutgoingEmail.objects.exists()
