"""Two Security Officials on the same Register for CAHPS page, in Chromium [SPEC §8
"never ... a lost update"]: each auto-save carries the contact's new token, so one person's
saves follow each other; a change saved meanwhile by someone else is not undone, and the page
says who made it and what to do."""

import re

from playwright.sync_api import expect

from organizations.models import Role
from registrations.detail_services import contact_update
from registrations.models import ProgramStatus, Size, Source
from tests.browser.helpers import assert_accessible, screenshot
from tests.factories import ContactFactory, RegistrationFactory, RoleFactory, UserFactory


def test_auto_save_never_undoes_another_officials_change(
    signed_in_page, security_official, practice, cahps_year_open_now, csp_violations
):
    registration = RegistrationFactory(
        organization=practice,
        performance_year=cahps_year_open_now,
        size=Size.SMALL,
        cahps_status=ProgramStatus.REGISTERED,  # Complete
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    ada = ContactFactory(
        registration=registration, first_name="Ada", last_name="Lovelace", email="ada@example.com"
    )
    sue = UserFactory(first_name="Sue", last_name="Second")
    RoleFactory(user=sue, organization=practice, kind=Role.Kind.SECURITY_OFFICIAL)
    page = signed_in_page(security_official)
    page.goto(f"/cahps/{cahps_year_open_now.year}/{practice.pk}/")
    live = page.locator("[data-autosave-status]")
    contact = page.get_by_role("group", name="Contact 1")

    # One person's saves follow each other, each with the token the last one returned.
    for label, value in (
        ("Phone Number", "410 555 0101"),
        ("Email", "ada.l@example.com"),
        ("Last Name", "King"),
    ):
        contact.get_by_label(label).fill(value)
        contact.get_by_label(label).press("Tab")
        expect(live).to_have_text(re.compile("Contact 1 saved"))
        live.evaluate("element => { element.textContent = ''; }")
    ada.refresh_from_db()
    assert (ada.phone, ada.email, ada.last_name) == ("(410) 555-0101", "ada.l@example.com", "King")

    # Meanwhile the other Security Official changes the phone number on their own page.
    contact_update(
        registration=registration,
        contact=ada,
        by=sue,
        edit_token=ada.edit_token,
        first_name=ada.first_name,
        last_name=ada.last_name,
        email=ada.email,
        phone="443-555-0100",
    )

    contact.get_by_label("First Name").fill("Augusta")
    contact.get_by_label("First Name").press("Tab")

    expect(live).to_have_text(re.compile("Contact 1 not saved: Sue Second changed this contact on"))
    expect(contact.get_by_text(re.compile("Reload the page to see their change"))).to_be_visible()
    ada.refresh_from_db()
    assert (ada.first_name, ada.phone) == ("Ada", "(443) 555-0100")
    assert_accessible(page)
    screenshot(page, "cahps-edit-conflict")

    page.reload()
    expect(contact.get_by_label("Phone Number")).to_have_value("(443) 555-0100")
    contact.get_by_label("First Name").fill("Augusta")
    contact.get_by_label("First Name").press("Tab")
    expect(live).to_have_text(re.compile("Contact 1 saved"))
    ada.refresh_from_db()
    assert (ada.first_name, ada.phone) == ("Augusta", "(443) 555-0100")
