"""Changelist actions on registrations: cancel a program and record a Web Interface data
submission, each through the service (rules, history, e-mail after commit)."""

import pytest
from django.core import mail

from registrations.models import ProgramStatus, Size, Source
from tests.factories import ContactFactory, RegistrationFactory

from .conftest import REGISTRATIONS, action

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(staff_client, registration_admin):
    return staff_client(registration_admin)


def registered(year, *, organization=None, **extra):
    """A registration for both programs (25–99) with one contact."""
    values = {
        "performance_year": year,
        "size": Size.MEDIUM,
        "web_interface_status": ProgramStatus.REGISTERED,
        "web_interface_source": Source.SECURITY_OFFICIAL,
        "cahps_status": ProgramStatus.REGISTERED,
        "cahps_source": Source.SECURITY_OFFICIAL,
        **extra,
    }
    if organization is not None:
        values["organization"] = organization
    registration = RegistrationFactory(**values)
    ContactFactory(registration=registration, email=f"contact-{registration.pk}@example.com")
    return registration


def test_cancel_asks_for_confirmation_first(admin_client, open_year):
    registration = registered(open_year)

    response = admin_client.post(REGISTRATIONS, action("cancel_web_interface", registration))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Cancel the CMS Web Interface registration of 1 organization?" in page
    assert registration.registration_id in page
    assert 'value="Continue"' in page
    registration.refresh_from_db()
    assert registration.web_interface_status == ProgramStatus.REGISTERED


def test_continue_cancels_through_the_service(
    admin_client, registration_admin, open_year, django_capture_on_commit_callbacks
):
    registration = registered(open_year)

    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(
            REGISTRATIONS, action("cancel_web_interface", registration, confirm="yes"), follow=True
        )
    assert mail.outbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()

    registration.refresh_from_db()
    assert registration.web_interface_status == ProgramStatus.NOT_REGISTERED
    assert registration.web_interface_source == Source.NONE
    assert registration.cahps_status == ProgramStatus.REGISTERED  # only the chosen program
    latest = registration.history.first()
    assert latest.history_user == registration_admin
    assert latest.history_change_reason == "Cancelled the CMS Web Interface registration"
    [message] = mail.outbox
    assert message.to == [f"contact-{registration.pk}@example.com"]
    assert registration.registration_id in message.body
    assert "Cancelled the CMS Web Interface registration of 1 organization(s)." in response.content.decode()


def test_cancel_outside_the_window_shows_the_reason_and_changes_nothing(
    admin_client, year_2021, django_capture_on_commit_callbacks
):
    registration = registered(year_2021)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(
            REGISTRATIONS, action("cancel_cahps", registration, confirm="yes"), follow=True
        )

    assert (
        f"{registration.registration_id}: Registration for performance year 2021 closed on Wednesday, "
        "June 30, 2021 at 8:00 p.m. ET."
    ) in response.content.decode()
    registration.refresh_from_db()
    assert registration.cahps_status == ProgramStatus.REGISTERED
    assert registration.history.count() == 1
    assert callbacks == []
    assert mail.outbox == []


def test_cancel_reports_each_refusal_next_to_its_registration(admin_client, open_year):
    cancelled = registered(open_year)
    not_registered = RegistrationFactory(performance_year=open_year)

    response = admin_client.post(
        REGISTRATIONS, action("cancel_cahps", cancelled, not_registered, confirm="yes"), follow=True
    )

    page = response.content.decode()
    assert "Cancelled the CAHPS for MIPS Survey registration of 1 organization(s)." in page
    assert f"{not_registered.registration_id}: {not_registered.organization.name} is not registered" in page


def test_mark_submitted_records_it_with_history(admin_client, registration_admin, year_2021):
    registration = registered(year_2021)  # after the window: data are submitted later

    response = admin_client.post(
        REGISTRATIONS, action("mark_web_interface_submitted", registration), follow=True
    )

    registration.refresh_from_db()
    assert registration.submitted_web_interface_data is True
    assert registration.history.first().history_user == registration_admin
    assert "Recorded that 1 organization(s) submitted quality data" in response.content.decode()


def test_mark_submitted_is_refused_without_a_web_interface_registration(admin_client, year_2021):
    registration = RegistrationFactory(performance_year=year_2021)

    response = admin_client.post(
        REGISTRATIONS, action("mark_web_interface_submitted", registration), follow=True
    )

    registration.refresh_from_db()
    assert registration.submitted_web_interface_data is False
    assert "is not registered for the CMS Web Interface" in response.content.decode()


def test_unmark_submitted(admin_client, year_2021):
    registration = registered(year_2021, submitted_web_interface_data=True)

    admin_client.post(REGISTRATIONS, action("clear_web_interface_submitted", registration))

    registration.refresh_from_db()
    assert registration.submitted_web_interface_data is False


@pytest.mark.parametrize(
    "name",
    ["cancel_web_interface", "cancel_cahps", "mark_web_interface_submitted", "clear_web_interface_submitted"],
)
def test_help_desk_has_no_registration_actions(staff_client, help_desk_agent, open_year, name):
    registration = registered(open_year)
    client = staff_client(help_desk_agent)

    listing = client.get(REGISTRATIONS)
    client.post(REGISTRATIONS, action(name, registration, confirm="yes"))

    assert name not in listing.content.decode()
    registration.refresh_from_db()
    assert registration.web_interface_status == ProgramStatus.REGISTERED
    assert registration.cahps_status == ProgramStatus.REGISTERED
    assert registration.submitted_web_interface_data is False
