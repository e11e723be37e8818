"""Two Security Officials editing the same record: the second save never silently undoes the
first [SPEC §8 "never ... a lost update"]. Each edit form carries the record's ``edit_token``
from when it was rendered; a record saved since is refused with who changed it and when."""

from datetime import timedelta

import pytest

from qpp_registration.core.exceptions import EditConflict
from registrations.detail_services import contact_update, organization_update

ADDRESS = {
    "name": "Chesapeake Family Medicine",
    "address_line_1": "1 Harbor Way",
    "address_line_2": "",
    "city": "Annapolis",
    "state": "MD",
    "zip_code": "21401",
}


def fields_of(contact, **changes):
    values = {name: getattr(contact, name) for name in ("first_name", "last_name", "email", "phone")}
    return {**values, **changes}


@pytest.fixture
def later(time_machine):
    """``later()`` moves the stopped clock on by a minute, as between two people's saves."""
    return lambda: time_machine.shift(timedelta(minutes=1))


def test_a_contact_saved_by_someone_else_since_the_form_opened_is_not_overwritten(
    open_2021, registration_2021, security_official, second_official, later, nothing_changes
):
    ada = registration_2021.contacts.get(first_name="Ada")
    opened_with = ada.edit_token  # both officials open the Edit Contact form
    later()
    contact_update(
        registration=registration_2021,
        contact=ada,
        by=second_official,
        edit_token=opened_with,
        **fields_of(ada, phone="(443) 555-0100"),
    )
    later()

    with nothing_changes(), pytest.raises(EditConflict) as conflict:
        contact_update(
            registration=registration_2021,
            contact=ada,
            by=security_official,
            edit_token=opened_with,
            **fields_of(ada, email="ada.l@example.com"),
        )

    assert conflict.value.reason == (
        "Sue Second changed this contact on Tuesday, May 4, 2021 at 12:01 p.m. ET, "
        "after you opened this page, so your change was not saved."
    )
    ada.refresh_from_db()
    assert (ada.phone, ada.email) == ("(443) 555-0100", "ada@example.com")
    assert conflict.value.edit_token == ada.edit_token


def test_saving_again_with_the_current_token_replaces_the_other_change_deliberately(
    open_2021, registration_2021, security_official, second_official, later
):
    ada = registration_2021.contacts.get(first_name="Ada")
    opened_with = ada.edit_token
    later()
    contact_update(
        registration=registration_2021, contact=ada, by=second_official, **fields_of(ada, phone="4435550100")
    )
    later()
    with pytest.raises(EditConflict) as conflict:
        contact_update(
            registration=registration_2021,
            contact=ada,
            by=security_official,
            edit_token=opened_with,
            **fields_of(ada, phone="4105550123"),
        )

    contact_update(
        registration=registration_2021,
        contact=ada,
        by=security_official,
        edit_token=conflict.value.edit_token,
        **fields_of(ada, phone="4105550123"),
    )

    ada.refresh_from_db()
    assert ada.phone == "(410) 555-0123"
    assert ada.history.first().history_user == security_official


def test_consecutive_saves_from_one_page_each_carry_the_new_token(
    open_2021, registration_2021, security_official, later
):
    ada = registration_2021.contacts.get(first_name="Ada")
    token = ada.edit_token
    for phone in ("4105550101", "4105550102", "4105550103"):
        later()
        ada = contact_update(
            registration=registration_2021,
            contact=ada,
            by=security_official,
            edit_token=token,
            **fields_of(ada, phone=phone),
        )
        token = ada.edit_token

    ada.refresh_from_db()
    assert ada.phone == "(410) 555-0103"


def test_the_organization_information_is_protected_the_same_way(
    open_2021, practice, security_official, second_official, later, nothing_changes
):
    opened_with = practice.edit_token
    later()
    organization_update(
        organization=practice, year=open_2021, by=second_official, edit_token=opened_with, **ADDRESS
    )
    later()

    with nothing_changes(), pytest.raises(EditConflict) as conflict:
        organization_update(
            organization=practice,
            year=open_2021,
            by=security_official,
            edit_token=opened_with,
            **{**ADDRESS, "city": "Baltimore"},
        )

    assert conflict.value.reason.startswith("Sue Second changed the organization information on Tuesday")
    practice.refresh_from_db()
    assert practice.city == "Annapolis"


def test_without_a_token_there_is_no_page_to_compare_with(
    open_2021, registration_2021, security_official, second_official, later
):
    # Staff in admin and scripts edit the stored record itself.
    ada = registration_2021.contacts.get(first_name="Ada")
    later()
    contact_update(
        registration=registration_2021, contact=ada, by=second_official, **fields_of(ada, phone="4435550100")
    )

    contact_update(
        registration=registration_2021,
        contact=ada,
        by=security_official,
        **fields_of(ada, phone="4105550123"),
    )

    ada.refresh_from_db()
    assert ada.phone == "(410) 555-0123"
