"""The 2020/2021 registration guide, walked in order in Chromium [2020 §III.4 – §VII].

A Security Official of a 25–99 practice, in a performance year configured like
2021 whose window is open now: register for the CMS Web Interface, then for the
CAHPS for MIPS Survey (carried over), modify the address and the contacts,
change the size to 2–24 and accept the Web Interface cancellation, cancel CAHPS,
register again and see the same registration ID. Every screen passes axe and is
saved as a screenshot.
"""

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from registrations.guide_years import LIKE_2021, open_window_around
from registrations.models import ProgramStatus, Registration
from tests.browser.helpers import assert_accessible, assert_no_horizontal_overflow, screenshot
from tests.factories import OrganizationFactory, PerformanceYearFactory, RoleFactory, UserFactory

YEAR = 2025  # configured like 2021, open now (as the demo data's 2025)
WEB_INTERFACE = "CMS Web Interface"
CAHPS = "CAHPS for MIPS Survey"
CONGRATULATIONS = "Congratulations, you have successfully registered!"


@pytest.fixture
def open_year(db):
    return PerformanceYearFactory(year=YEAR, **LIKE_2021, **open_window_around(timezone.now()))


@pytest.fixture
def demo_so(db):
    """Like the demo's demo-so: Security Official of a practice whose address is incomplete."""
    user = UserFactory(username="demo-so-like", first_name="Dana", last_name="Sullivan")
    practice = OrganizationFactory(
        name="Chesapeake Family Medicine", identifier="123456789", address_line_1="", city="Baltimore"
    )
    RoleFactory(user=user, organization=practice)
    return user, practice


def check(page, name):
    """Every screen: one h1, no axe violations, a screenshot to look at."""
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    assert_accessible(page)
    screenshot(page, f"registration-2020-{name}")


def card(page, practice):
    return page.locator(f"#org-{practice.pk}")


def register_button(page, practice, program):
    name = f"Register Chesapeake Family Medicine for the {program}"
    return card(page, practice).get_by_role("button", name=name)


def program_column(page, practice, program):
    return (
        card(page, practice)
        .locator("div.tablet\\:grid-col-6")
        .filter(has=page.get_by_role("heading", name=program, exact=True))
    )


def test_security_official_walks_the_guide_from_register_to_re_register(signed_in_page, open_year, demo_so):
    user, practice = demo_so
    page = signed_in_page(user)

    # [2020 §III.4–6] Manage Access → Connected Organizations → Edit Registration.
    page.goto("/")
    navigation = page.get_by_role("navigation", name="Portal navigation")
    navigation.get_by_role("link", name="Connected Organizations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connected Organizations")
    expect(page.get_by_role("table")).to_contain_text("Not registered")
    check(page, "01-connected-organizations")
    page.get_by_role("link", name="Edit Registration of Chesapeake Family Medicine").click()

    # [2020 §IV.1–2] Organization Size, then Register under "CMS Web Interface".
    expect(page.get_by_role("heading", level=1)).to_have_text("Registration Overview")
    expect(navigation.get_by_role("link", name="Registration", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    check(page, "02-main-registration-page")
    register_web_interface = register_button(page, practice, WEB_INTERFACE)
    card(page, practice).get_by_label("Organization Size").select_option("2-24")
    expect(register_web_interface).to_be_hidden()  # only displays if the size allows it
    card(page, practice).get_by_label("Organization Size").select_option("25-99")
    expect(register_web_interface).to_be_visible()
    register_web_interface.click()

    # [2020 §IV.3] Submit Registration: limited organization and contact information.
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit Registration")
    expect(page.get_by_text("Required — not entered yet")).to_be_visible()
    expect(page.get_by_text("E-mail address and phone number required")).to_be_visible()
    check(page, "03-submit-registration")

    # [2020 §IV.4] Edit → check marks; Update once every required field is complete.
    page.get_by_role("link", name="Edit organization information").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organization Information")
    update = page.get_by_role("button", name="Update")
    expect(update).to_be_disabled()
    expect(page.locator("#id_address_line_1-check")).to_be_hidden()
    expect(page.locator("#id_city-check")).to_be_visible()
    check(page, "04-organization-information")
    page.get_by_label("Address", exact=False).first.fill("7500 Security Boulevard")
    expect(page.locator("#id_address_line_1-check")).to_be_visible()
    expect(update).to_be_enabled()
    page.get_by_label("ZIP Code").fill("2124")
    expect(page.locator("#id_zip_code-check")).to_be_hidden()
    expect(update).to_be_disabled()
    # Once the field is left, the message by it names the ZIP code and what is wrong [issue 28 #19].
    page.get_by_label("ZIP Code").blur()
    expect(page.locator("#id_zip_code_error")).to_have_text(
        "The ZIP code has 4 digits. Enter 5 digits, like 21244, or ZIP+4, like 21244-1850."
    )
    expect(page.get_by_label("ZIP Code")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#update-hint")).to_have_text("Correct the ZIP Code to select Update.")
    check(page, "05-organization-information-incomplete")
    page.get_by_label("ZIP Code").fill("21244")
    expect(page.locator("#id_zip_code_error")).to_have_count(0)
    expect(update).to_be_enabled()
    update.click()
    expect(page.get_by_text("Required — not entered yet")).to_have_count(0)

    # [2020 §IV.5–6] Contact Information: the first contact starts with the user's name.
    page.get_by_role("link", name="Edit contact Dana Sullivan").click()
    expect(page.get_by_label("First Name")).to_have_value("Dana")
    expect(page.get_by_label("Last Name")).to_have_value("Sullivan")
    page.get_by_label("E-mail").fill("dana.sullivan@example.com")
    page.get_by_label("Phone Number").fill("555-0142")
    page.get_by_role("button", name="Update").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a 10-digit U.S. phone number")
    check(page, "06-contact-error")
    page.get_by_label("Phone Number").fill("410-555-0142")
    page.get_by_role("button", name="Update").click()
    expect(page.get_by_text("(410) 555-0142")).to_be_visible()

    # [2020 §IV.7] Add New.
    page.get_by_role("link", name="Add New", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add New Contact")
    check(page, "07-add-new-contact")
    page.get_by_label("First Name").fill("Jordan")
    page.get_by_label("Last Name").fill("Reyes")
    page.get_by_label("E-mail").fill("jordan.reyes@example.com")
    page.get_by_label("Phone Number").fill("(443) 555-0199")
    page.get_by_role("button", name="Add Contact").click()
    expect(page.get_by_text("Jordan Reyes was added as a contact.")).to_be_visible()
    check(page, "08-submit-registration-complete")

    # [2020 §IV.8] Register → Congratulations with the registration ID → Back to List.
    page.get_by_role("button", name=f"Register for the {WEB_INTERFACE}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Congratulations, you have successfully registered!"
    )
    registration_id = page.locator(".qpp-registration-id").inner_text()
    assert re.fullmatch(r"QPP-[2-9A-Z]{4}-[2-9A-Z]{4}", registration_id)
    check(page, "09-congratulations")
    page.get_by_role("link", name="Back to List").click()

    # [2020 §IV.9] Registration Overview: the green check mark; CAHPS carries everything over.
    expect(program_column(page, practice, WEB_INTERFACE)).to_contain_text("Registered")
    expect(card(page, practice)).to_contain_text(registration_id)
    check(page, "10-registration-overview")
    register_button(page, practice, CAHPS).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Congratulations, you have successfully registered!"
    )
    expect(page.locator(".qpp-registration-id")).to_have_text(registration_id)
    page.get_by_role("link", name="Back to List").click()
    expect(program_column(page, practice, CAHPS)).to_contain_text("Registered")

    # [2020 §V] Show Details → Edit the address, edit and delete contacts, Add New Contact.
    card(page, practice).get_by_role("link", name="Show Details of Chesapeake Family Medicine").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chesapeake Family Medicine")
    check(page, "11-show-details")
    page.get_by_role("link", name="Edit organization address").click()
    page.get_by_label("City").fill("Woodlawn")
    page.get_by_role("button", name="Update").click()
    expect(page.get_by_text("Woodlawn")).to_be_visible()
    page.get_by_role("link", name="Edit contact Jordan Reyes").click()
    page.get_by_label("Phone Number").fill("443-555-0100")
    page.get_by_role("button", name="Update").click()
    expect(page.get_by_text("(443) 555-0100")).to_be_visible()
    page.get_by_role("link", name="Delete contact Jordan Reyes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete Contact of Chesapeake Family Medicine")
    expect(page.get_by_role("link", name="Cancel")).to_be_focused()  # the safe choice
    check(page, "12-delete-contact")
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Jordan Reyes was removed from the contacts.")).to_be_visible()
    # The last contact cannot be deleted, and the page says why.
    expect(page.get_by_text("A registration must keep at least one contact.")).to_be_visible()
    expect(page.get_by_role("link", name="Delete contact Dana Sullivan")).to_have_count(0)
    page.get_by_role("link", name="Add New Contact").click()
    page.get_by_label("First Name").fill("Avery")
    page.get_by_label("Last Name").fill("Chen")
    page.get_by_label("E-mail").fill("avery.chen@example.com")
    page.get_by_label("Phone Number").fill("4105550123")
    page.get_by_role("button", name="Add Contact").click()
    expect(page.get_by_text("2 contacts receive updates about this registration by e-mail.")).to_be_visible()
    check(page, "13-show-details-modified")
    page.get_by_role("link", name="Back to List").click()

    # [2020 §V Update Organization Size] Edit next to Size → 2–24 → the warning → Confirm.
    card(page, practice).get_by_role("link", name="Edit size of Chesapeake Family Medicine").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organization Size")
    check(page, "14-organization-size")
    page.get_by_label("Organization Size").select_option("2-24")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Confirm the organization size of Chesapeake Family Medicine"
    )
    expect(page.get_by_role("link", name="Cancel")).to_be_focused()
    expect(page.get_by_role("region", name=re.compile("cancels its CMS Web Interface"))).to_contain_text(
        "will cancel this organization's CMS Web Interface"
    )
    check(page, "15-size-confirmation")
    page.get_by_role("button", name="Confirm").click()
    expect(
        page.get_by_text(
            f"Its CMS Web Interface registration was cancelled (registration ID {registration_id})"
        )
    ).to_be_visible()
    expect(program_column(page, practice, WEB_INTERFACE)).to_contain_text(
        "only available to organizations with 25"
    )
    expect(program_column(page, practice, CAHPS)).to_contain_text("Registered")
    check(page, "16-after-size-change")

    # [2020 §VII] Cancel Registration → Continue → the success message quotes the ID.
    card(page, practice).get_by_role(
        "link", name=f"Cancel Registration of Chesapeake Family Medicine for the {CAHPS}"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Cancel Registration of Chesapeake Family Medicine"
    )
    check(page, "17-cancel-registration")
    page.get_by_role("button", name="Continue").click()
    expect(
        page.get_by_text("You have successfully cancelled the CAHPS for MIPS Survey registration")
    ).to_contain_text(registration_id)
    expect(program_column(page, practice, CAHPS)).to_contain_text("Not registered")
    check(page, "18-after-cancel")

    # [2020 §VII note] Register again: the same registration ID.
    expect(card(page, practice).get_by_label("Organization Size")).to_have_value("2-24")
    register_button(page, practice, CAHPS).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit Registration")
    page.get_by_role("button", name=f"Register for the {CAHPS}").click()
    expect(page.locator(".qpp-registration-id")).to_have_text(registration_id)

    registration = Registration.objects.get(organization=practice, performance_year=open_year)
    assert registration.registration_id == registration_id
    assert (registration.web_interface_status, registration.cahps_status) == (
        ProgramStatus.NOT_REGISTERED,
        ProgramStatus.REGISTERED,
    )
    # Every contact heard of each step, always quoting the same ID [2020 §IV.8, §VII].
    registration_mail = [message for message in mail.outbox if registration_id in message.body]
    assert {"dana.sullivan@example.com", "avery.chen@example.com"} <= {m.to[0] for m in registration_mail}


def test_a_staff_user_sees_the_status_but_no_edit_registration(signed_in_page, open_year, demo_so):
    _, practice = demo_so
    staff = UserFactory(username="demo-staffuser-like", first_name="Sam", last_name="Taylor")
    RoleFactory(user=staff, organization=practice, kind="staff_user")
    page = signed_in_page(staff)

    page.goto("/organizations/connected/")
    expect(page.get_by_role("table")).to_contain_text("Chesapeake Family Medicine")
    expect(page.get_by_role("link", name=re.compile("Edit Registration"))).to_have_count(0)
    expect(page.get_by_text("Don’t see Edit Registration?")).to_be_visible()
    check(page, "19-connected-organizations-staff-user")

    # The navigation offers only what the role opens (issue 27 #6): no Registration; a URL typed
    # in still explains.
    nav = page.get_by_role("navigation", name="Portal navigation")
    expect(nav.get_by_role("link", name="Registration", exact=True)).to_have_count(0)
    page.goto("/registration/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Security Official role required")
    check(page, "20-registration-without-security-official-role")


@pytest.mark.parametrize("width", [390])
def test_the_main_page_fits_a_phone(signed_in_page, open_year, demo_so, width):
    user, _ = demo_so
    page = signed_in_page(user)
    page.set_viewport_size({"width": width, "height": 844})

    page.goto(f"/registration/{YEAR}/")

    assert_no_horizontal_overflow(page)
    check(page, f"21-main-registration-page-{width}")


def test_without_javascript_register_and_the_organization_form_still_work(
    open_year, demo_so, signed_in_without_javascript
):
    user, practice = demo_so
    context = signed_in_without_javascript(user)
    page = context.new_page()
    try:
        page.goto(f"/registration/{YEAR}/")
        # Without the script every Register button shows; the server explains a size that does not fit.
        card(page, practice).get_by_label("Organization Size").select_option("2-24")
        register_button(page, practice, WEB_INTERFACE).click()
        expect(page.get_by_role("alert")).to_contain_text("only available to organizations with 25 or more")
        expect(card(page, practice).get_by_label("Organization Size")).to_have_value("2-24")
        screenshot(page, "registration-2020-22-no-js-size-refused")
        register_button(page, practice, CAHPS).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Submit Registration")

        page.get_by_role("link", name="Edit organization information").click()
        update = page.get_by_role("button", name="Update")
        expect(update).to_be_enabled()  # the server, not the script, decides
        page.get_by_label("ZIP Code").fill("2124")
        update.click()
        summary = page.get_by_role("alert")
        expect(summary).to_contain_text("Enter the mailing address.")
        expect(summary).to_contain_text("ZIP Code: The ZIP code has 4 digits. Enter 5 digits, like 21244")
        expect(page.get_by_label("ZIP Code")).to_have_value("2124")
        # (axe needs JavaScript; this page is scanned with it in the walk above.)
        screenshot(page, "registration-2020-23-no-js-organization-error")
    finally:
        context.close()
