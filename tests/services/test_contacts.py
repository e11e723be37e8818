"""contact_add, contact_update, contact_delete [2020 §IV.6–7, §V; 2023 §IV.2, §V]."""

from datetime import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from contacts.models import Contact
from qpp_registration.core.exceptions import RegistrationRefused
from registrations.detail_services import contact_add, contact_delete, contact_update
from registrations.models import Program, ProgramStatus
from registrations.services import registration_submit
from tests.factories import ContactFactory, OrganizationFactory, RegistrationFactory
from tests.services.conftest import EASTERN, OUTSIDE_2021

JANE = {"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com", "phone": "410.555.0199"}


def register(registration, program, by):
    registration_submit(
        organization=registration.organization,
        year=registration.performance_year,
        program=program,
        size="",
        by=by,
    )


# --- contact_add ------------------------------------------------------------------------------------


def test_add_saves_the_contact_with_a_normalized_phone(open_2021, registration_2021, security_official):
    contact = contact_add(registration=registration_2021, by=security_official, **JANE)

    contact.refresh_from_db()
    assert contact.registration == registration_2021
    assert contact.phone == "(410) 555-0199"
    assert contact.full_name == "Jane Doe"
    assert contact.history.get().history_user == security_official


def test_add_trims_what_was_typed(open_2021, registration_2021, security_official):
    contact = contact_add(
        registration=registration_2021, by=security_official, **{**JANE, "first_name": "  Jane "}
    )
    assert contact.first_name == "Jane"


def test_add_reports_each_bad_field_and_saves_nothing(
    open_2021, registration_2021, security_official, nothing_changes
):
    with nothing_changes(), pytest.raises(ValidationError) as invalid:
        contact_add(
            registration=registration_2021,
            by=security_official,
            first_name="",
            last_name="Doe",
            email="not-an-address",
            phone="555-0199",
        )
    assert invalid.value.message_dict == {
        "first_name": ["Enter the contact's first name."],
        "email": ["Enter a valid email address."],
        "phone": ["Enter a 10-digit U.S. phone number, for example 410-555-0123."],
    }


def test_add_to_a_registered_organization_emails_every_contact(
    open_2021, registration_2021, security_official, committed
):
    register(registration_2021, Program.CAHPS, security_official)

    with committed():
        contact_add(registration=registration_2021, by=security_official, **JANE)

    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.com", "bo@example.com", "jane@example.com"]
    assert all("Contact added: Jane Doe." in m.body for m in mail.outbox)
    assert all(registration_2021.registration_id in m.body for m in mail.outbox)


def test_add_before_registering_sends_no_email(open_2021, registration_2021, security_official, committed):
    with committed():
        contact_add(registration=registration_2021, by=security_official, **JANE)
    assert mail.outbox == []


@OUTSIDE_2021
def test_add_outside_the_window_is_refused(
    clock, registration_2021, security_official, nothing_changes, moment, reason
):
    clock(moment)
    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        contact_add(registration=registration_2021, by=security_official, **JANE)
    assert refused.value.reason == reason


@pytest.mark.parametrize("persona", ["staff_user", "outsider", "help_desk"])
def test_only_a_security_official_adds_contacts(
    request, open_2021, registration_2021, nothing_changes, persona
):
    user = request.getfixturevalue(persona)
    with nothing_changes(), pytest.raises(PermissionDenied):
        contact_add(registration=registration_2021, by=user, **JANE)


# --- contact_update ---------------------------------------------------------------------------------


def test_update_changes_the_contact(open_2021, registration_2021, security_official):
    contact = registration_2021.contacts.first()
    contact_update(registration=registration_2021, contact=contact, by=security_official, **JANE)

    contact.refresh_from_db()
    assert (contact.first_name, contact.email, contact.phone) == (
        "Jane",
        "jane@example.com",
        "(410) 555-0199",
    )
    assert contact.history.first().history_user == security_official


def test_update_keeps_the_contact_unchanged_on_bad_input(
    open_2021, registration_2021, security_official, nothing_changes
):
    contact = registration_2021.contacts.first()
    with nothing_changes(), pytest.raises(ValidationError) as invalid:
        contact_update(
            registration=registration_2021, contact=contact, by=security_official, **{**JANE, "phone": ""}
        )
    assert invalid.value.message_dict == {"phone": ["Enter the contact's phone number."]}


def test_update_with_the_same_values_records_nothing(
    open_2021, registration_2021, security_official, nothing_changes
):
    contact = registration_2021.contacts.first()
    with nothing_changes():
        contact_update(
            registration=registration_2021,
            contact=contact,
            by=security_official,
            first_name=contact.first_name,
            last_name=contact.last_name,
            email=contact.email,
            phone=contact.phone,
        )


def test_update_of_another_registrations_contact_is_refused(
    open_2021, registration_2021, security_official, nothing_changes
):
    stranger = ContactFactory(
        registration=RegistrationFactory(organization=OrganizationFactory(), performance_year=open_2021)
    )
    with nothing_changes(), pytest.raises(PermissionDenied):
        contact_update(registration=registration_2021, contact=stranger, by=security_official, **JANE)


def test_update_of_a_registered_organization_emails_every_contact(
    open_2021, registration_2021, security_official, committed
):
    register(registration_2021, Program.WEB_INTERFACE, security_official)
    contact = registration_2021.contacts.get(email="bo@example.com")

    with committed():
        contact_update(registration=registration_2021, contact=contact, by=security_official, **JANE)

    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.com", "jane@example.com"]
    assert "Contact updated: Jane Doe." in mail.outbox[0].body


@OUTSIDE_2021
def test_update_outside_the_window_is_refused(
    clock, registration_2021, security_official, nothing_changes, moment, reason
):
    clock(moment)
    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        contact_update(
            registration=registration_2021,
            contact=registration_2021.contacts.first(),
            by=security_official,
            **JANE,
        )
    assert refused.value.reason == reason


def test_update_is_refused_after_the_2023_window_closed(
    clock, registration_2023, security_official, nothing_changes
):
    clock(datetime(2023, 6, 30, 20, 0, tzinfo=EASTERN))
    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        contact_update(
            registration=registration_2023,
            contact=registration_2023.contacts.get(),
            by=security_official,
            **JANE,
        )
    assert refused.value.reason == (
        "Registration for performance year 2023 closed on Friday, June 30, 2023 at 8:00 p.m. ET."
    )


# --- contact_delete ---------------------------------------------------------------------------------


def test_delete_removes_the_contact_with_history(open_2021, registration_2021, security_official):
    contact = registration_2021.contacts.first()
    contact_delete(registration=registration_2021, contact=contact, by=security_official)

    assert registration_2021.contacts.count() == 1
    deletion = Contact.history.filter(id=contact.pk).first()
    assert deletion.history_type == "-"
    assert deletion.history_user == security_official


def test_the_last_contact_cannot_be_deleted(open_2021, registration_2021, security_official, nothing_changes):
    first, second = registration_2021.contacts.all()
    contact_delete(registration=registration_2021, contact=first, by=security_official)

    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        contact_delete(registration=registration_2021, contact=second, by=security_official)
    assert refused.value.reason == (
        "A registration must keep at least one contact. Edit this contact instead, or add another contact "
        "before deleting it."
    )


def test_delete_tells_the_remaining_contacts(open_2021, registration_2021, security_official, committed):
    register(registration_2021, Program.CAHPS, security_official)
    contact = registration_2021.contacts.get(email="bo@example.com")

    with committed():
        contact_delete(registration=registration_2021, contact=contact, by=security_official)

    assert [m.to for m in mail.outbox] == [["ada@example.com"]]
    assert "Contact removed: Bo Diddley." in mail.outbox[0].body


def test_delete_of_another_registrations_contact_is_refused(
    open_2021, registration_2021, security_official, nothing_changes
):
    stranger = ContactFactory(
        registration=RegistrationFactory(organization=OrganizationFactory(), performance_year=open_2021)
    )
    ContactFactory(registration=stranger.registration)
    with nothing_changes(), pytest.raises(PermissionDenied):
        contact_delete(registration=registration_2021, contact=stranger, by=security_official)


@OUTSIDE_2021
def test_delete_outside_the_window_is_refused(
    clock, registration_2021, security_official, nothing_changes, moment, reason
):
    clock(moment)
    with nothing_changes(), pytest.raises(RegistrationRefused) as refused:
        contact_delete(
            registration=registration_2021, contact=registration_2021.contacts.first(), by=security_official
        )
    assert refused.value.reason == reason


# --- CAHPS-only years: the status follows the contacts [2023 §IV.3, §VI] -----------------------------


def test_2023_contact_may_be_saved_half_filled(open_2023, registration_2023, security_official):
    """The 2023 page saves as the Security Official types [2023 §IV]."""
    contact = contact_add(
        registration=registration_2023,
        by=security_official,
        first_name="Pat",
        last_name="",
        email="",
        phone="",
    )
    assert not contact.is_complete


def test_2023_empty_contact_is_refused(open_2023, registration_2023, security_official, nothing_changes):
    with nothing_changes(), pytest.raises(ValidationError) as invalid:
        contact_add(
            registration=registration_2023,
            by=security_official,
            first_name="",
            last_name="",
            email="",
            phone="",
        )
    assert invalid.value.message_dict == {
        "first_name": ["Enter the contact's name, e-mail address and phone number."]
    }


def test_2023_status_becomes_incomplete_when_the_only_complete_contact_is_emptied(
    open_2023, registration_2023, security_official
):
    register(registration_2023, Program.CAHPS, security_official)
    contact = registration_2023.contacts.get()

    contact_update(
        registration=registration_2023,
        contact=contact,
        by=security_official,
        first_name=contact.first_name,
        last_name=contact.last_name,
        email=contact.email,
        phone="",
    )

    registration_2023.refresh_from_db()
    assert registration_2023.cahps_status == ProgramStatus.INCOMPLETE
    assert registration_2023.history.first().history_user == security_official


def test_2023_status_becomes_complete_when_a_complete_contact_is_added(
    open_2023, practice, security_official, committed
):
    registration = RegistrationFactory(organization=practice, performance_year=open_2023)
    register(registration, Program.CAHPS, security_official)
    registration.refresh_from_db()
    assert registration.cahps_status == ProgramStatus.INCOMPLETE

    with committed():
        contact_add(registration=registration, by=security_official, **JANE)

    registration.refresh_from_db()
    assert registration.cahps_status == ProgramStatus.REGISTERED
    assert mail.outbox == []  # no confirmation e-mail in 2023 [2023 §IV.3]


def test_2023_deleting_the_complete_contact_leaves_it_incomplete(
    open_2023, registration_2023, security_official
):
    register(registration_2023, Program.CAHPS, security_official)
    half = contact_add(
        registration=registration_2023,
        by=security_official,
        first_name="Pat",
        last_name="",
        email="",
        phone="",
    )
    complete = registration_2023.contacts.exclude(pk=half.pk).get()

    contact_delete(registration=registration_2023, contact=complete, by=security_official)

    registration_2023.refresh_from_db()
    assert registration_2023.cahps_status == ProgramStatus.INCOMPLETE


def test_2023_contacts_of_an_unstarted_registration_leave_the_status_alone(
    open_2023, registration_2023, security_official
):
    contact_add(registration=registration_2023, by=security_official, **JANE)
    registration_2023.refresh_from_db()
    assert registration_2023.cahps_status == ProgramStatus.NOT_REGISTERED
