"""registration_cancel: 2020/2021 cancel and 2023 delete [2020 §VII; 2023 §VII]."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from qpp_registration.core.exceptions import RegistrationRefused
from registrations.models import Program, ProgramStatus, Source
from registrations.services import registration_cancel, registration_submit
from tests.services.conftest import OUTSIDE_2021

WI = Program.WEB_INTERFACE
CAHPS = Program.CAHPS


def register(registration, program, by):
    return registration_submit(
        organization=registration.organization,
        year=registration.performance_year,
        program=program,
        size="",
        by=by,
    )


def test_cancel_returns_the_program_to_not_registered_and_keeps_the_rest(
    open_2021, registration_2021, security_official
):
    register(registration_2021, WI, security_official)
    register(registration_2021, CAHPS, security_official)

    registration_cancel(registration=registration_2021, program=WI, by=security_official)

    registration_2021.refresh_from_db()
    assert registration_2021.web_interface_status == ProgramStatus.NOT_REGISTERED
    assert registration_2021.web_interface_source == Source.NONE
    assert registration_2021.web_interface_registered_by is None
    assert registration_2021.cahps_status == ProgramStatus.REGISTERED
    assert registration_2021.contacts.count() == 2


def test_cancel_keeps_the_registration_id(open_2021, registration_2021, security_official):
    register(registration_2021, WI, security_official)
    registration = registration_cancel(registration=registration_2021, program=WI, by=security_official)
    assert registration.registration_id == registration_2021.registration_id


def test_cancel_emails_every_contact_quoting_the_id(
    open_2021, registration_2021, security_official, committed
):
    register(registration_2021, WI, security_official)

    with committed():
        registration_cancel(registration=registration_2021, program=WI, by=security_official)

    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.com", "bo@example.com"]
    assert {m.subject for m in mail.outbox} == {
        f"Registration {registration_2021.registration_id}: CMS Web Interface registration for "
        "Chesapeake Family Medicine was cancelled (2021)"
    }
    assert all(registration_2021.registration_id in m.body for m in mail.outbox)


def test_cancel_is_recorded_with_the_acting_user(
    open_2021, registration_2021, security_official, second_official
):
    register(registration_2021, WI, security_official)
    registration_cancel(registration=registration_2021, program=WI, by=second_official)

    latest = registration_2021.history.first()
    assert latest.history_user == second_official
    assert latest.history_change_reason == "Cancelled the CMS Web Interface registration"


def test_an_automatic_registration_can_be_cancelled(open_2021, registration_2021, security_official):
    registration_2021.web_interface_status = ProgramStatus.REGISTERED
    registration_2021.web_interface_source = Source.AUTOMATIC
    registration_2021.save()

    registration_cancel(registration=registration_2021, program=WI, by=security_official)

    registration_2021.refresh_from_db()
    assert registration_2021.web_interface_status == ProgramStatus.NOT_REGISTERED


def test_cancelling_what_is_not_registered_is_refused(
    open_2021, registration_2021, security_official, nothing_changes
):
    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        registration_cancel(registration=registration_2021, program=CAHPS, by=security_official)
    assert refused.value.reason == (
        "Chesapeake Family Medicine is not registered for the CAHPS for MIPS Survey for performance "
        "year 2021."
    )


@OUTSIDE_2021
def test_cancel_outside_the_window_is_refused(
    clock, open_2021, registration_2021, security_official, nothing_changes, moment, reason
):
    register(registration_2021, WI, security_official)
    clock(moment)

    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        registration_cancel(registration=registration_2021, program=WI, by=security_official)
    assert refused.value.reason == reason


@pytest.mark.parametrize("persona", ["staff_user", "outsider", "help_desk"])
def test_only_a_security_official_or_the_service_center_cancels(
    request, open_2021, registration_2021, security_official, nothing_changes, persona
):
    register(registration_2021, WI, security_official)
    user = request.getfixturevalue(persona)

    with nothing_changes(), pytest.raises(PermissionDenied):
        registration_cancel(registration=registration_2021, program=WI, by=user)


def test_the_service_center_can_cancel(open_2021, registration_2021, security_official, staff_reviewer):
    register(registration_2021, WI, security_official)
    registration_cancel(registration=registration_2021, program=WI, by=staff_reviewer)

    registration_2021.refresh_from_db()
    assert registration_2021.web_interface_status == ProgramStatus.NOT_REGISTERED
    assert registration_2021.history.first().history_user == staff_reviewer


def test_deleting_a_2023_registration_sends_no_email(
    open_2023, registration_2023, security_official, committed
):
    register(registration_2023, CAHPS, security_official)

    with committed():
        registration_cancel(registration=registration_2023, program=CAHPS, by=security_official)

    registration_2023.refresh_from_db()
    assert registration_2023.cahps_status == ProgramStatus.NOT_REGISTERED
    assert registration_2023.history.first().history_change_reason == (
        "Deleted the CAHPS for MIPS Survey registration"
    )
    assert mail.outbox == []
