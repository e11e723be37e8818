"""organization_update: the name and mailing address, never the identifier [2020 §IV.4, §V]."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from qpp_registration.core.exceptions import RegistrationRefused
from registrations.detail_services import organization_update
from registrations.models import Program
from registrations.services import registration_submit
from tests.services.conftest import OUTSIDE_2021

NEW_ADDRESS = {
    "name": "Chesapeake Family Medicine, LLC",
    "address_line_1": "1 Harbor Way",
    "address_line_2": "Suite 200",
    "city": "Annapolis",
    "state": "md",
    "zip_code": "21401",
}


def test_update_saves_name_and_address_and_keeps_the_identifier(open_2021, practice, security_official):
    organization_update(organization=practice, year=open_2021, by=security_official, **NEW_ADDRESS)

    practice.refresh_from_db()
    assert practice.name == "Chesapeake Family Medicine, LLC"
    assert (practice.city, practice.state, practice.zip_code) == ("Annapolis", "MD", "21401")
    assert practice.identifier == "123456789"
    latest = practice.history.first()
    assert latest.history_user == security_official
    assert latest.history_change_reason == "Organization information updated"


def test_update_reports_each_bad_field_and_saves_nothing(
    open_2021, practice, security_official, nothing_changes
):
    with nothing_changes(), pytest.raises(ValidationError) as invalid:
        organization_update(
            organization=practice,
            year=open_2021,
            by=security_official,
            **{**NEW_ADDRESS, "city": " ", "state": "ZZ", "zip_code": "2140"},
        )
    assert invalid.value.message_dict == {
        "city": ["Enter the city."],
        "state": ["Select a U.S. state or territory from the list."],
        "zip_code": ["Enter a zip code in the format XXXXX or XXXXX-XXXX."],
    }


def test_update_of_a_registered_organization_emails_that_years_contacts(
    open_2021, registration_2021, practice, security_official, committed
):
    registration_submit(
        organization=practice, year=open_2021, program=Program.CAHPS, size="", by=security_official
    )
    with committed():
        organization_update(organization=practice, year=open_2021, by=security_official, **NEW_ADDRESS)

    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.com", "bo@example.com"]
    body = mail.outbox[0].body
    assert (
        "Organization information updated: organization name, mailing address, address line 2, city" in body
    )
    assert "Chesapeake Family Medicine, LLC" in body
    assert registration_2021.registration_id in body


def test_update_without_a_registration_sends_no_email(open_2021, practice, security_official, committed):
    with committed():
        organization_update(organization=practice, year=open_2021, by=security_official, **NEW_ADDRESS)
    assert mail.outbox == []


def test_update_with_the_same_values_records_nothing(open_2021, practice, security_official, nothing_changes):
    same = {field: getattr(practice, field) for field in NEW_ADDRESS}
    with nothing_changes():
        organization_update(organization=practice, year=open_2021, by=security_official, **same)


@OUTSIDE_2021
def test_update_outside_the_window_is_refused(
    clock, year_2021, practice, security_official, nothing_changes, moment, reason
):
    clock(moment)
    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        organization_update(organization=practice, year=year_2021, by=security_official, **NEW_ADDRESS)
    assert refused.value.reason == reason


@pytest.mark.parametrize("persona", ["staff_user", "outsider", "help_desk"])
def test_only_a_security_official_or_staff_may_update(request, open_2021, practice, nothing_changes, persona):
    user = request.getfixturevalue(persona)
    with nothing_changes(), pytest.raises(PermissionDenied):
        organization_update(organization=practice, year=open_2021, by=user, **NEW_ADDRESS)
