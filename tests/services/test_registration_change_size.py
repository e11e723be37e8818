"""registration_change_size [2020 §IV.4, §V Update Organization Size; 2023 §V]."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from qpp_registration.core.exceptions import ConfirmationRequired, RegistrationRefused
from registrations.models import Program, ProgramStatus, Size, Source
from registrations.services import registration_change_size, registration_submit
from tests.factories import ContactFactory, SubgroupFactory
from tests.services.conftest import OUTSIDE_2021

WI = Program.WEB_INTERFACE
CAHPS = Program.CAHPS


def register(registration, program, by):
    registration_submit(
        organization=registration.organization,
        year=registration.performance_year,
        program=program,
        size="",
        by=by,
    )


def test_size_change_saves_the_new_band(open_2021, registration_2021, security_official):
    registration_change_size(registration=registration_2021, size=Size.LARGE, by=security_official)

    registration_2021.refresh_from_db()
    assert registration_2021.size == Size.LARGE
    assert registration_2021.history.first().history_user == security_official


def test_size_change_to_2_24_asks_before_cancelling_the_web_interface(
    open_2021, registration_2021, security_official, nothing_changes
):
    register(registration_2021, WI, security_official)

    with nothing_changes(), pytest.raises(ConfirmationRequired) as asked:
        registration_change_size(registration=registration_2021, size=Size.SMALL, by=security_official)
    assert asked.value.field == "size"
    assert asked.value.reason.startswith(
        "Changing the organization size to 2–24 clinicians will cancel this organization's CMS Web "
        "Interface registration"
    )
    assert asked.value.reason.endswith("Do you want to continue?")


def test_confirmed_size_change_to_2_24_cancels_the_web_interface(
    open_2021, registration_2021, security_official, committed
):
    register(registration_2021, WI, security_official)
    register(registration_2021, CAHPS, security_official)

    with committed():
        registration_change_size(
            registration=registration_2021,
            size=Size.SMALL,
            by=security_official,
            confirm_web_interface_cancellation=True,
        )

    registration_2021.refresh_from_db()
    assert registration_2021.size == Size.SMALL
    assert registration_2021.web_interface_status == ProgramStatus.NOT_REGISTERED
    assert registration_2021.cahps_status == ProgramStatus.REGISTERED
    # One history row holds both changes: they happened together.
    latest = registration_2021.history.first()
    assert (latest.size, latest.web_interface_status) == (Size.SMALL, ProgramStatus.NOT_REGISTERED)
    assert len(mail.outbox) == 2
    assert mail.outbox[0].subject == (
        f"Registration {registration_2021.registration_id} for Chesapeake Family Medicine was updated (2021)"
    )
    assert "The CMS Web Interface registration was cancelled" in mail.outbox[0].body
    assert "Organization size changed to 2–24 clinicians." in mail.outbox[0].body


def test_size_change_to_2_24_without_web_interface_needs_no_confirmation(
    open_2021, registration_2021, security_official
):
    register(registration_2021, CAHPS, security_official)
    registration_change_size(registration=registration_2021, size=Size.SMALL, by=security_official)

    registration_2021.refresh_from_db()
    assert registration_2021.size == Size.SMALL
    assert registration_2021.cahps_status == ProgramStatus.REGISTERED


def test_size_change_between_25_plus_bands_keeps_the_web_interface(
    open_2021, registration_2021, security_official
):
    register(registration_2021, WI, security_official)
    registration_change_size(registration=registration_2021, size=Size.LARGE, by=security_official)

    registration_2021.refresh_from_db()
    assert registration_2021.web_interface_status == ProgramStatus.REGISTERED


def test_same_size_changes_nothing(open_2021, registration_2021, security_official, nothing_changes):
    with nothing_changes():
        registration_change_size(registration=registration_2021, size=Size.MEDIUM, by=security_official)


def test_an_unknown_size_is_refused(open_2021, registration_2021, security_official, nothing_changes):
    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        registration_change_size(registration=registration_2021, size="500", by=security_official)
    assert refused.value.reason == "Select an organization size: 2–24, 25–99, or 100 or more clinicians."
    assert refused.value.field == "size"


def test_an_unregistered_organization_gets_no_email(
    open_2021, registration_2021, security_official, committed
):
    with committed():
        registration_change_size(registration=registration_2021, size=Size.LARGE, by=security_official)
    assert mail.outbox == []


@OUTSIDE_2021
def test_size_change_outside_the_window_is_refused(
    clock, registration_2021, security_official, nothing_changes, moment, reason
):
    clock(moment)
    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        registration_change_size(registration=registration_2021, size=Size.LARGE, by=security_official)
    assert refused.value.reason == reason


def test_staff_user_role_cannot_change_the_size(open_2021, registration_2021, staff_user, nothing_changes):
    with nothing_changes(), pytest.raises(PermissionDenied):
        registration_change_size(registration=registration_2021, size=Size.LARGE, by=staff_user)


def test_2023_size_change_keeps_a_complete_registration_complete(
    open_2023, registration_2023, security_official
):
    registration_submit(
        organization=registration_2023.organization,
        year=registration_2023.performance_year,
        program=CAHPS,
        size="",
        by=security_official,
    )
    registration_change_size(registration=registration_2023, size=Size.LARGE, by=security_official)

    registration_2023.refresh_from_db()
    assert registration_2023.size == Size.LARGE
    assert registration_2023.cahps_status == ProgramStatus.REGISTERED


def test_2023_choosing_a_size_completes_a_service_center_registration(open_2023, staff_reviewer):
    """A subgroup registered by the Service Center before its size was known becomes
    Complete once the size is chosen, as it already has a complete contact [2023 §VI]."""
    subgroup = SubgroupFactory()
    registration = registration_submit(
        organization=subgroup,
        year=open_2023,
        program=CAHPS,
        size="",
        by=staff_reviewer,
        source=Source.SERVICE_CENTER,
    )
    ContactFactory(registration=registration)
    assert registration.cahps_status == ProgramStatus.INCOMPLETE

    registration_change_size(registration=registration, size=Size.SMALL, by=staff_reviewer)

    registration.refresh_from_db()
    assert registration.cahps_status == ProgramStatus.REGISTERED
