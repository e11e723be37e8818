"""registration_mark_web_interface_submitted: staff record a Web Interface data submission [2020 §I]."""

import pytest
from django.core.exceptions import PermissionDenied

from qpp_registration.core.exceptions import RegistrationRefused
from registrations.models import ProgramStatus, Source
from registrations.services import registration_mark_web_interface_submitted
from tests.services.conftest import AT_CLOSE_2021


@pytest.fixture
def registered_2021(open_2021, registration_2021):
    registration_2021.web_interface_status = ProgramStatus.REGISTERED
    registration_2021.web_interface_source = Source.SECURITY_OFFICIAL
    registration_2021.save()
    return registration_2021


def test_staff_mark_a_submission_after_the_window_closed(clock, registered_2021, staff_reviewer):
    clock(AT_CLOSE_2021)  # data are submitted after the performance year
    registration_mark_web_interface_submitted(registration=registered_2021, by=staff_reviewer)

    registered_2021.refresh_from_db()
    assert registered_2021.submitted_web_interface_data is True
    latest = registered_2021.history.first()
    assert latest.history_user == staff_reviewer
    assert latest.history_change_reason == "Recorded a quality data submission through the CMS Web Interface"


def test_staff_can_undo_the_mark(registered_2021, staff_reviewer):
    registration_mark_web_interface_submitted(registration=registered_2021, by=staff_reviewer)
    registration_mark_web_interface_submitted(
        registration=registered_2021, by=staff_reviewer, submitted=False
    )

    registered_2021.refresh_from_db()
    assert registered_2021.submitted_web_interface_data is False


def test_marking_twice_records_one_change(registered_2021, staff_reviewer, nothing_changes):
    registration_mark_web_interface_submitted(registration=registered_2021, by=staff_reviewer)
    with nothing_changes():
        registration_mark_web_interface_submitted(registration=registered_2021, by=staff_reviewer)


def test_an_organization_not_registered_for_the_web_interface_cannot_have_submitted(
    registration_2021, staff_reviewer, nothing_changes
):
    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        registration_mark_web_interface_submitted(registration=registration_2021, by=staff_reviewer)
    assert refused.value.reason == (
        "Chesapeake Family Medicine is not registered for the CMS Web Interface for performance year 2021, "
        "so it cannot have submitted quality data through it."
    )


@pytest.mark.parametrize("persona", ["security_official", "help_desk", "outsider"])
def test_only_staff_who_change_registrations_may_mark(request, registered_2021, nothing_changes, persona):
    user = request.getfixturevalue(persona)
    with nothing_changes(), pytest.raises(PermissionDenied):
        registration_mark_web_interface_submitted(registration=registered_2021, by=user)
