"""registration_get_or_create and registration_submit [2020 §IV; 2021 #5, #6; 2023 §I, §IV]."""

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction

from organizations.models import Role
from qpp_registration.core.exceptions import RegistrationRefused
from registrations.models import Program, ProgramStatus, Registration, Size, Source
from registrations.services import registration_cancel, registration_get_or_create, registration_submit
from tests.factories import (
    ContactFactory,
    OrganizationFactory,
    RegistrationFactory,
    RoleFactory,
    SspAcoFactory,
    SubgroupFactory,
)
from tests.services.conftest import INSIDE, OUTSIDE_2021

WI = Program.WEB_INTERFACE
CAHPS = Program.CAHPS


def submit(registration, program, by, **kwargs):
    kwargs.setdefault("size", "")
    return registration_submit(
        organization=registration.organization,
        year=registration.performance_year,
        program=program,
        by=by,
        **kwargs,
    )


# --- registration_get_or_create ---------------------------------------------------------------------


def test_get_or_create_starts_one_registration_with_a_readable_id(open_2021, practice, security_official):
    first = registration_get_or_create(organization=practice, year=open_2021, by=security_official)
    again = registration_get_or_create(organization=practice, year=open_2021, by=security_official)

    assert first.pk == again.pk
    assert first.registration_id == again.registration_id
    assert re.fullmatch(r"QPP-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}", first.registration_id)
    assert first.web_interface_status == first.cahps_status == ProgramStatus.NOT_REGISTERED
    assert first.history.get().history_user == security_official


@OUTSIDE_2021
def test_get_or_create_outside_the_window_creates_nothing(
    clock, year_2021, practice, security_official, nothing_changes, moment, reason
):
    clock(moment)
    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        registration_get_or_create(organization=practice, year=year_2021, by=security_official)
    assert refused.value.reason == reason


def test_get_or_create_refuses_a_staff_user_role(open_2021, practice, staff_user, nothing_changes):
    with nothing_changes(), pytest.raises(PermissionDenied):
        registration_get_or_create(organization=practice, year=open_2021, by=staff_user)


# --- registration_submit ----------------------------------------------------------------------------


def test_security_official_registers_for_the_web_interface(open_2021, registration_2021, security_official):
    registration = submit(registration_2021, WI, security_official)

    registration.refresh_from_db()
    assert registration.web_interface_status == ProgramStatus.REGISTERED
    assert registration.web_interface_source == Source.SECURITY_OFFICIAL
    assert registration.web_interface_registered_by == security_official
    assert registration.web_interface_registered_at == INSIDE[2021]
    assert registration.cahps_status == ProgramStatus.NOT_REGISTERED
    assert registration.registration_id == registration_2021.registration_id


def test_submit_sets_the_size_it_is_given(open_2021, registration_2021, security_official):
    submit(registration_2021, WI, security_official, size=Size.LARGE)

    registration_2021.refresh_from_db()
    assert registration_2021.size == Size.LARGE
    assert registration_2021.web_interface_status == ProgramStatus.REGISTERED


def test_submit_records_the_security_official_in_history(open_2021, registration_2021, security_official):
    submit(registration_2021, WI, security_official)

    latest = registration_2021.history.first()
    assert latest.history_user == security_official
    assert latest.web_interface_status == ProgramStatus.REGISTERED
    assert latest.history_change_reason == "Registered for the CMS Web Interface"


def test_submit_emails_every_contact_after_commit(open_2021, registration_2021, security_official, committed):
    with committed() as callbacks:
        submit(registration_2021, WI, security_official)

    assert len(callbacks) == 2  # one delivery task per recipient, enqueued once committed
    assert sorted(message.to[0] for message in mail.outbox) == ["ada@example.com", "bo@example.com"]
    assert all(len(message.to) == 1 for message in mail.outbox)
    message = mail.outbox[0]
    assert registration_2021.registration_id in message.subject
    assert registration_2021.registration_id in message.body
    assert "CMS Web Interface" in message.body


def test_registering_the_second_program_keeps_the_id(open_2021, registration_2021, security_official):
    submit(registration_2021, WI, security_official)
    submit(registration_2021, CAHPS, security_official)

    registration = Registration.objects.get()
    assert registration.registration_id == registration_2021.registration_id
    assert registration.web_interface_status == registration.cahps_status == ProgramStatus.REGISTERED
    assert registration.contacts.count() == 2


def test_re_registering_after_a_cancel_keeps_the_id(open_2021, registration_2021, security_official):
    submit(registration_2021, CAHPS, security_official)
    registration_cancel(registration=registration_2021, program=CAHPS, by=security_official)
    submit(registration_2021, CAHPS, security_official)

    registration = Registration.objects.get()
    assert registration.registration_id == registration_2021.registration_id
    assert registration.cahps_status == ProgramStatus.REGISTERED


def test_a_second_submit_of_the_same_program_is_refused(
    open_2021, registration_2021, security_official, nothing_changes
):
    submit(registration_2021, WI, security_official)

    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        submit(registration_2021, WI, security_official)
    assert refused.value.reason == (
        "Chesapeake Family Medicine is already registered for the CMS Web Interface for performance year "
        f"2021 (registration ID {registration_2021.registration_id})."
    )


def test_submit_without_a_registration_creates_one_when_ready(open_2021, practice, security_official):
    """The Submit Registration page may register straight away once contacts exist elsewhere."""
    registration = registration_get_or_create(organization=practice, year=open_2021, by=security_official)
    ContactFactory(registration=registration)

    registered = registration_submit(
        organization=practice, year=open_2021, program=CAHPS, size=Size.SMALL, by=security_official
    )
    assert registered.registration_id == registration.registration_id
    assert Registration.objects.get().cahps_status == ProgramStatus.REGISTERED


@OUTSIDE_2021
def test_submit_outside_the_window_is_refused(
    clock, registration_2021, security_official, nothing_changes, moment, reason
):
    clock(moment)
    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        submit(registration_2021, WI, security_official)
    assert refused.value.reason == reason


def test_submit_without_a_complete_contact_is_refused(
    open_2021, practice, security_official, nothing_changes
):
    registration = RegistrationFactory(organization=practice, performance_year=open_2021)
    ContactFactory(registration=registration, phone="")

    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        submit(registration, CAHPS, security_official)
    assert refused.value.reason == (
        "Add at least one contact with a first name, last name, phone number and e-mail address."
    )


def test_submit_with_incomplete_organization_information_is_refused(
    open_2021, registration_2021, security_official, nothing_changes
):
    registration_2021.organization.city = ""
    registration_2021.organization.zip_code = ""
    registration_2021.organization.save()

    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        submit(registration_2021, CAHPS, security_official)
    assert refused.value.reason == "Complete the organization information: city and ZIP code."


def test_web_interface_is_refused_for_2_to_24_clinicians(
    open_2021, registration_2021, security_official, nothing_changes
):
    registration_2021.size = Size.SMALL
    registration_2021.save()

    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        submit(registration_2021, WI, security_official)
    assert refused.value.reason.startswith(
        "The CMS Web Interface is only available to organizations with 25 or more clinicians."
    )


def test_submit_without_a_size_points_at_the_size_field(
    open_2021, practice, security_official, nothing_changes
):
    registration = RegistrationFactory(organization=practice, performance_year=open_2021, size="")
    ContactFactory(registration=registration)

    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        submit(registration, CAHPS, security_official)
    assert refused.value.reason == "Select the organization size first."
    assert refused.value.field == "size"


def test_submit_cannot_shrink_to_2_24_past_a_web_interface_registration(
    open_2021, registration_2021, security_official, nothing_changes
):
    submit(registration_2021, WI, security_official)

    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        submit(registration_2021, CAHPS, security_official, size=Size.SMALL)
    assert refused.value.field == "size"
    assert "cancels the CMS Web Interface registration" in refused.value.reason


def test_shared_savings_aco_is_automatically_registered_from_2021(open_2021, nothing_changes):
    aco = SspAcoFactory()
    official = RoleFactory(organization=aco).user
    registration = RegistrationFactory(organization=aco, performance_year=open_2021)
    ContactFactory(registration=registration)

    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        submit(registration, WI, official)
    assert refused.value.reason == "Automatically registered as a Shared Savings Program ACO."


def test_aco_cannot_register_for_cahps_in_2020(open_2020, nothing_changes):
    aco = SspAcoFactory()
    official = RoleFactory(organization=aco).user
    registration = RegistrationFactory(organization=aco, performance_year=open_2020)
    ContactFactory(registration=registration)

    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        submit(registration, CAHPS, official)
    assert "administer the CAHPS for ACOs Survey instead" in refused.value.reason


@pytest.mark.parametrize("persona", ["staff_user", "outsider"])
def test_only_a_security_official_submits(request, open_2021, registration_2021, nothing_changes, persona):
    user = request.getfixturevalue(persona)
    with nothing_changes(), pytest.raises(PermissionDenied):
        submit(registration_2021, CAHPS, user)


def test_a_security_official_of_another_organization_cannot_submit(
    open_2021, registration_2021, nothing_changes
):
    other = RoleFactory(organization=OrganizationFactory(), kind=Role.Kind.SECURITY_OFFICIAL).user
    with nothing_changes(), pytest.raises(PermissionDenied):
        submit(registration_2021, CAHPS, other)


def test_staff_cannot_submit_as_a_security_official(
    open_2021, registration_2021, staff_reviewer, nothing_changes
):
    with nothing_changes(), pytest.raises(PermissionDenied):
        submit(registration_2021, CAHPS, staff_reviewer)


def test_no_one_submits_an_automatic_registration(
    open_2021, registration_2021, staff_reviewer, nothing_changes
):
    with nothing_changes(), pytest.raises(PermissionDenied):
        submit(registration_2021, WI, staff_reviewer, source=Source.AUTOMATIC)


def test_an_email_is_not_sent_when_the_surrounding_transaction_fails(
    open_2021, registration_2021, security_official, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        submit(registration_2021, WI, security_official)
        raise RuntimeError("the page failed after the service")

    assert callbacks == []
    assert mail.outbox == []
    registration_2021.refresh_from_db()
    assert registration_2021.web_interface_status == ProgramStatus.NOT_REGISTERED


# --- CAHPS-only years (2023) ------------------------------------------------------------------------


def test_2023_registration_is_complete_with_a_size_and_a_complete_contact(
    open_2023, registration_2023, security_official, committed
):
    with committed():
        submit(registration_2023, CAHPS, security_official)

    registration_2023.refresh_from_db()
    assert registration_2023.cahps_status == ProgramStatus.REGISTERED
    assert mail.outbox == []  # 2023: a summary to download instead of an e-mail [2023 §IV.3]


def test_2023_registration_starts_incomplete_without_a_contact(open_2023, practice, security_official):
    registration = registration_submit(
        organization=practice, year=open_2023, program=CAHPS, size=Size.SMALL, by=security_official
    )
    assert registration.cahps_status == ProgramStatus.INCOMPLETE
    assert registration.cahps_source == Source.SECURITY_OFFICIAL


def test_2023_offers_no_web_interface(open_2023, registration_2023, security_official, nothing_changes):
    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        submit(registration_2023, WI, security_official)
    assert refused.value.reason == (
        "The CMS Web Interface is not offered for performance year 2023; registration is open for the "
        "CAHPS for MIPS Survey only."
    )


def test_subgroup_security_official_is_sent_to_the_service_center(open_2023, nothing_changes):
    subgroup = SubgroupFactory()
    official = RoleFactory(organization=subgroup).user

    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        registration_submit(
            organization=subgroup, year=open_2023, program=CAHPS, size=Size.SMALL, by=official
        )
    assert "The QPP Service Center completes a subgroup's CAHPS for MIPS Survey registration" in (
        refused.value.reason
    )


def test_service_center_registers_a_subgroup_for_cahps(open_2023, staff_reviewer):
    subgroup = SubgroupFactory()

    registration = registration_submit(
        organization=subgroup,
        year=open_2023,
        program=CAHPS,
        size=Size.SMALL,
        by=staff_reviewer,
        source=Source.SERVICE_CENTER,
    )
    assert registration.cahps_source == Source.SERVICE_CENTER
    assert registration.cahps_registered_by == staff_reviewer
    # No contact yet: the representative adds one to complete it [2023 §I].
    assert registration.cahps_status == ProgramStatus.INCOMPLETE
    assert registration.history.first().history_user == staff_reviewer


def test_help_desk_staff_cannot_register_for_the_service_center(open_2023, help_desk, nothing_changes):
    subgroup = SubgroupFactory()
    with nothing_changes(), pytest.raises(PermissionDenied):
        registration_submit(
            organization=subgroup,
            year=open_2023,
            program=CAHPS,
            size=Size.SMALL,
            by=help_desk,
            source=Source.SERVICE_CENTER,
        )


def test_service_center_is_bound_by_the_window(clock, year_2023, staff_reviewer, nothing_changes):
    clock(INSIDE[2021])
    subgroup = SubgroupFactory()
    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        registration_submit(
            organization=subgroup,
            year=year_2023,
            program=CAHPS,
            size=Size.SMALL,
            by=staff_reviewer,
            source=Source.SERVICE_CENTER,
        )
    assert refused.value.reason == (
        "Registration for performance year 2023 opens on Monday, April 3, 2023 at 10:00 a.m. ET."
    )
