"""The 2023 CAHPS flow in Chromium, for a demo-so-like Security Official in an open
CAHPS-only year: the guide in order [2023 §III.5 – §VII], with JavaScript (auto-save)
and without it (ordinary submit buttons), every screen scanned by axe."""

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from organizations.models import Role
from registrations.models import ProgramStatus, Registration
from tests.browser.helpers import assert_accessible, assert_no_horizontal_overflow, screenshot
from tests.factories import ApmEntityFactory, RoleFactory, SspAcoFactory, SubgroupFactory, VirtualGroupFactory

ORGANIZATION = "Chesapeake Family Medicine"
REGISTER = re.compile(f"^Register Group for CAHPS\\W+{ORGANIZATION}$")


@pytest.fixture
def demo_so(security_official, practice, cahps_year_open_now):
    """Like the demo's demo-so: Security Official of a practice, its subgroup, a virtual
    group, an APM Entity and a Shared Savings Program ACO."""
    for organization in (
        SubgroupFactory(parent=practice, name="Chesapeake Family Medicine – Cardiology Subgroup"),
        VirtualGroupFactory(name="Blue Ridge Virtual Group"),
        ApmEntityFactory(name="Capital Oncology Partners"),
        SspAcoFactory(name="Tidewater Accountable Care"),
    ):
        RoleFactory(user=security_official, organization=organization, kind=Role.Kind.SECURITY_OFFICIAL)
    return security_official


def header(page):
    return page.get_by_role("banner").last


def contact_count(page):
    return page.locator("[data-contact-count]")


def status(page):
    return page.locator("[data-cahps-status]")


def contact_group(page, number):
    return page.get_by_role("group", name=f"Contact {number}")


def choose_size(page, label):
    """Click the radio's label, as a person does: USWDS draws its own radio over the input."""
    page.locator("label", has_text=label).click()
    expect(page.get_by_label(label)).to_be_checked()


def pdf_words(path):
    """The downloaded PDF's text, words separated by single spaces."""
    reader = PdfReader(io.BytesIO(Path(path).read_bytes()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def scan(page, scanner=None):
    """axe-core on ``page``. A page without JavaScript cannot run axe, so its HTML, exactly
    as the server sent it, is scanned in ``scanner`` (a JavaScript-enabled page) at the same
    address, with the page's own scripts blocked so that they cannot change it."""
    if scanner is None:
        assert_accessible(page)
        return
    # A click that navigates returns once the new address is committed, possibly before its
    # document is parsed; scanning then would scan an empty page.
    page.wait_for_load_state()
    html = page.content()
    address = page.url.split("#")[0]
    scanner.route("**/*.js", lambda route: route.abort())
    scanner.route(
        address, lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
    )
    try:
        scanner.goto(address)
        assert_accessible(scanner)
    finally:
        scanner.unroute_all()


def open_practices_and_register(page, *, name, scanner=None):
    """Registration in the left navigation → Register and Edit CAHPS Registration → Practices →
    Register Group for CAHPS [2023 §III.5–7]."""
    page.goto("/")
    navigation = page.get_by_role("navigation", name="Portal navigation")
    navigation.get_by_role("link", name="Registration", exact=True).click()
    # [2023 §III.6] "From the Registration screen, select Register and Edit CAHPS Registration."
    expect(page.get_by_role("heading", level=1)).to_have_text("Registration")
    scan(page, scanner)
    screenshot(page, f"cahps-{name}-00-registration")
    page.get_by_role("link", name="Register and Edit CAHPS Registration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register and Edit CAHPS Registration")
    expect(navigation.get_by_role("link", name="CAHPS for MIPS Survey Registration")).to_have_attribute(
        "aria-current", "page"
    )
    tabs = page.get_by_role("navigation", name="Organization types")
    expect(tabs.get_by_role("link")).to_have_text(
        [re.compile("APM Entities"), re.compile("Virtual Groups"), re.compile("Practices")]
    )
    scan(page, scanner)
    screenshot(page, f"cahps-{name}-01-list")

    tabs.get_by_role("link", name=re.compile("Practices")).click()
    expect(tabs.get_by_role("link", name=re.compile("Practices"))).to_have_attribute("aria-current", "page")
    expect(page.locator("tr", has_text="Cardiology Subgroup")).to_contain_text("QPP Service Center")
    expect(page.get_by_role("region", name="Subgroups")).to_contain_text(
        "QPP Service Center completes a subgroup"
    )
    scan(page, scanner)
    screenshot(page, f"cahps-{name}-02-practices")

    page.get_by_role("button", name=REGISTER).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register for CAHPS")
    registration = Registration.objects.get(organization__name=ORGANIZATION)
    expect(page.locator("[data-registration-id]")).to_have_text(registration.registration_id)
    expect(contact_count(page)).to_have_text("0")
    scan(page, scanner)
    screenshot(page, f"cahps-{name}-03-register-for-cahps")
    return registration


def test_register_for_cahps_with_auto_save(signed_in_page, demo_so, cahps_year_open_now, csp_violations):
    page = signed_in_page(demo_so)
    page.set_viewport_size({"width": 1280, "height": 900})
    registration = open_practices_and_register(page, name="js")
    live = page.locator("[data-autosave-status]")
    # With JavaScript the Save buttons give way to auto-save.
    expect(page.get_by_role("button", name="Save size")).to_be_hidden()
    expect(page.get_by_text("Changes are saved automatically")).to_be_visible()
    # [2023 §III.8] Delete Registration is there as soon as the registration ID exists.
    expect(page.get_by_role("link", name="Delete Registration")).to_be_visible()

    choose_size(page, "25–99 clinicians")
    expect(live).to_have_text(re.compile("Organization Size saved"))
    expect(status(page)).to_have_text(re.compile(r"^\s*Incomplete\s*$"))
    reminders = page.get_by_role("heading", name="Deadline reminders")
    expect(reminders).to_be_visible()  # an Incomplete registration is reminded
    # Its confirmation is a page, like every destructive confirmation.
    expect(page.get_by_role("link", name="Delete Registration")).to_be_visible()

    # The first contact starts with the user's name [SPEC §6]; each field saves on leaving it.
    first = contact_group(page, 1)
    expect(first.get_by_label("First Name")).to_have_value("Sam")
    expect(first.get_by_label("Last Name")).to_have_value("Official")
    first.get_by_label("Phone Number").fill("410 555 0142")
    first.get_by_label("Phone Number").press("Tab")
    expect(live).to_have_text(re.compile("Contact 1 saved"))
    expect(first.get_by_label("Phone Number")).to_have_value("(410) 555-0142")
    # Counted as soon as it is added [2023 §IV.2]; Complete waits for every required field.
    expect(contact_count(page)).to_have_text("1")
    expect(status(page)).to_have_text(re.compile(r"^\s*Incomplete\s*$"))
    first.get_by_label("Email").fill("sam.official@example.com")
    first.get_by_label("Email").press("Tab")
    expect(contact_count(page)).to_have_text("1")
    expect(status(page)).to_have_text(re.compile(r"^\s*Complete\s*$"))
    expect(page.get_by_role("link", name="Download Group CAHPS Registration Summary")).to_be_visible()
    # A Complete registration gets no deadline reminder, so the box goes [issue 28 #15].
    expect(reminders).to_be_hidden()
    assert_accessible(page)
    screenshot(page, "cahps-js-04-complete")

    # A bad value is refused next to its field and announced; nothing is saved.
    first.get_by_label("Phone Number").fill("555-0142")
    first.get_by_label("Phone Number").press("Tab")
    expect(first.get_by_text("Enter a 10-digit U.S. phone number")).to_be_visible()
    expect(live).to_have_text(re.compile("Contact 1 not saved"))
    expect(first.get_by_label("Phone Number")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    screenshot(page, "cahps-js-05-error")
    first.get_by_label("Phone Number").fill("(410) 555-0142")
    first.get_by_label("Phone Number").press("Tab")
    expect(first.get_by_text("Enter a 10-digit U.S. phone number")).to_be_hidden()

    # Reloading proves every change was saved without a submit button.
    page.reload()
    expect(page.get_by_label("25–99 clinicians")).to_be_checked()
    expect(contact_group(page, 1).get_by_label("Email")).to_have_value("sam.official@example.com")
    expect(contact_count(page)).to_have_text("1")
    expect(status(page)).to_have_text(re.compile(r"^\s*Complete\s*$"))

    # + Add another contact: the header's count follows [2023 §IV.2].
    page.get_by_role("link", name="+ Add another contact").click()
    second = contact_group(page, 2)
    expect(second.get_by_label("First Name")).to_be_focused()
    for label, value in (
        ("First Name", "Eve"),
        ("Last Name", "Park"),
        ("Phone Number", "202-555-0199"),
        ("Email", "eve.park@example.com"),
    ):
        second.get_by_label(label).fill(value)
        second.get_by_label(label).press("Tab")
    expect(contact_count(page)).to_have_text("2")
    expect(second.get_by_role("link", name="Delete Contact 2")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "cahps-js-06-two-contacts")

    # Download Group CAHPS Registration Summary [2023 §VI].
    with page.expect_download() as download:
        page.get_by_role("link", name="Download Group CAHPS Registration Summary").click()
    words = pdf_words(download.value.path())
    for expected in (
        registration.registration_id,
        ORGANIZATION,
        "***-**-6789",
        "25–99 clinicians",
        "Complete",
        "Sam Official",
        "Eve Park",
        "eve.park@example.com",
        f"Performance Year {cahps_year_open_now.year}",
    ):
        assert expected in words, expected

    # Delete Contact → Delete [2023 §V].
    page.reload()
    contact_group(page, 2).get_by_role("link", name="Delete Contact 2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Delete Contact of {ORGANIZATION}")
    expect(page.get_by_role("link", name="Cancel")).to_be_focused()  # the safe choice
    assert_accessible(page)
    screenshot(page, "cahps-js-07-delete-contact")
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register for CAHPS")
    expect(contact_count(page)).to_have_text("1")
    expect(contact_group(page, 2)).to_have_count(0)
    # The last contact cannot be deleted.
    expect(contact_group(page, 1).get_by_role("link", name="Delete Contact 1")).to_be_hidden()

    # Delete Registration → Delete [2023 §VII], on a confirmation page like Delete Contact.
    page.get_by_role("link", name="Delete Registration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Delete Registration of {ORGANIZATION}")
    expect(page.get_by_role("link", name="Cancel")).to_be_focused()
    assert_accessible(page)
    screenshot(page, "cahps-js-08-delete-registration")
    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register and Edit CAHPS Registration")
    expect(page.get_by_text(f"the registration ID stays {registration.registration_id}")).to_be_visible()
    registration.refresh_from_db()
    assert registration.cahps_status == ProgramStatus.NOT_REGISTERED
    assert_accessible(page)
    screenshot(page, "cahps-js-09-deleted")

    # Register again: the same registration ID, with the size and contact kept.
    page.get_by_role("button", name=REGISTER).click()
    expect(page.locator("[data-registration-id]")).to_have_text(registration.registration_id)
    expect(status(page)).to_have_text(re.compile(r"^\s*Complete\s*$"))
    assert Registration.objects.filter(organization__name=ORGANIZATION).count() == 1
    assert not csp_violations


def test_register_for_cahps_without_javascript(
    page, demo_so, cahps_year_open_now, signed_in_without_javascript
):
    context = signed_in_without_javascript(demo_so)
    nojs = context.new_page()
    try:
        registration = open_practices_and_register(nojs, name="nojs", scanner=page)
        expect(nojs.get_by_text("Select Save size or Save contact after each change.")).to_be_visible()

        choose_size(nojs, "2–24 clinicians")
        nojs.get_by_role("button", name="Save size").click()
        # The outcome waits next to what was saved, where the browser jumped to, not at the top.
        saved = nojs.locator("#organization-size").get_by_text("Organization Size saved: 2–24 clinicians.")
        expect(saved).to_be_in_viewport()
        expect(status(nojs)).to_have_text(re.compile(r"^\s*Incomplete\s*$"))

        first = contact_group(nojs, 1)
        first.get_by_label("Phone Number").fill("12345")
        first.get_by_role("button", name="Save contact 1").click()
        # Bad input: an error summary, the message next to the field, what was typed kept.
        expect(nojs.get_by_role("heading", name="There is a problem")).to_be_visible()
        expect(contact_group(nojs, 1).get_by_label("Phone Number")).to_have_value("12345")
        scan(nojs, page)
        screenshot(nojs, "cahps-nojs-04-error")
        first = contact_group(nojs, 1)
        first.get_by_label("Phone Number").fill("410-555-0142")
        first.get_by_label("Email").fill("sam.official@example.com")
        first.get_by_role("button", name="Save contact 1").click()
        expect(contact_count(nojs)).to_have_text("1")
        expect(status(nojs)).to_have_text(re.compile(r"^\s*Complete\s*$"))

        nojs.get_by_role("link", name="+ Add another contact").click()
        second = contact_group(nojs, 2)
        second.get_by_label("First Name").fill("Eve")
        second.get_by_label("Last Name").fill("Park")
        second.get_by_label("Phone Number").fill("202-555-0199")
        second.get_by_label("Email").fill("eve.park@example.com")
        second.get_by_role("button", name="Save contact 2").click()
        expect(contact_count(nojs)).to_have_text("2")
        expect(contact_group(nojs, 2).get_by_text("Contact saved: Eve Park.")).to_be_in_viewport()
        expect(contact_group(nojs, 1).get_by_text("Contact saved")).to_have_count(0)
        scan(nojs, page)
        screenshot(nojs, "cahps-nojs-05-two-contacts")

        with nojs.expect_download() as download:
            nojs.get_by_role("link", name="Download Group CAHPS Registration Summary").click()
        words = pdf_words(download.value.path())
        assert registration.registration_id in words and "Eve Park" in words and "2–24 clinicians" in words

        contact_group(nojs, 2).get_by_role("link", name="Delete Contact 2").click()
        expect(nojs.get_by_role("heading", level=1)).to_have_text(f"Delete Contact of {ORGANIZATION}")
        scan(nojs, page)
        nojs.get_by_role("button", name="Delete").click()
        expect(contact_count(nojs)).to_have_text("1")
        expect(nojs.locator("#contacts").get_by_text("Contact 2 (Eve Park) was deleted.")).to_be_in_viewport()

        # Without JavaScript Delete Registration is a page of its own with Delete / Cancel.
        nojs.get_by_role("link", name="Delete Registration").click()
        expect(nojs.get_by_role("heading", level=1)).to_have_text(f"Delete Registration of {ORGANIZATION}")
        scan(nojs, page)
        screenshot(nojs, "cahps-nojs-06-delete-registration")
        nojs.get_by_role("button", name="Delete").click()
        expect(nojs.get_by_text(f"the registration ID stays {registration.registration_id}")).to_be_visible()

        nojs.get_by_role("button", name=REGISTER).click()
        expect(nojs.locator("[data-registration-id]")).to_have_text(registration.registration_id)
        expect(status(nojs)).to_have_text(re.compile(r"^\s*Complete\s*$"))
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_cahps_pages_fit_a_desktop_and_a_phone(signed_in_page, demo_so, cahps_year_open_now, width):
    page = signed_in_page(demo_so)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/cahps/{cahps_year_open_now.year}/?tab=practices")
    assert_no_horizontal_overflow(page)
    screenshot(page, f"cahps-list-{width}")
    page.get_by_role("button", name=REGISTER).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register for CAHPS")
    assert_no_horizontal_overflow(page)
    assert_accessible(page)
    screenshot(page, f"cahps-register-{width}")
