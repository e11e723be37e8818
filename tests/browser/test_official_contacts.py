"""Contacts kept once, used everywhere, in Chromium [issue 27 item 3]: on Add New Contact the
official chooses a person already on another organization's registration (with JavaScript the
fields fill in place; without it the page comes back filled in), and after changing that person's
phone confirms *Update this contact everywhere*; at 1280 and 390 px, axe on each screen."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import Contact
from registrations.guide_years import LIKE_2021, open_window_around
from registrations.models import Size
from tests.browser.helpers import check_screen
from tests.factories import (
    ContactFactory,
    OrganizationFactory,
    PerformanceYearFactory,
    RoleFactory,
    UserFactory,
    registered,
)

pytestmark = pytest.mark.browser

ADA = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "phone": "(410) 555-0142"}


@pytest.fixture
def official(db):
    year = PerformanceYearFactory(year=2025, **LIKE_2021, **open_window_around(timezone.now()))
    user = UserFactory(username="contacts-so", first_name="Dana", last_name="Sullivan")
    harbor = OrganizationFactory(name="Harbor Clinic", identifier="900000001")
    zephyr = OrganizationFactory(name="Zephyr Family Medicine", identifier="900000002")
    for organization in (harbor, zephyr):
        RoleFactory(user=user, organization=organization)
    ada = ContactFactory(registration=registered(harbor, year, size=Size.MEDIUM, contacts=0), **ADA)
    ContactFactory(
        registration=registered(zephyr, year, size=Size.MEDIUM, contacts=0),
        first_name="Cy",
        last_name="Young",
        email="cy@example.com",
    )
    return user, harbor, zephyr, ada


def add_page(organization):
    return f"/registration/2025/{organization.pk}/contacts/new/"


def use_ada(page, prefix, scanner=None):
    chooser = page.get_by_label("Use an existing contact")
    expect(chooser).to_be_visible()
    chooser.select_option(label="Ada Lovelace — ada@example.com — (410) 555-0142")
    page.get_by_role("button", name="Use this contact").click()
    expect(page.get_by_label("First Name")).to_have_value("Ada")
    expect(page.get_by_label("Last Name")).to_have_value("Lovelace")
    expect(page.get_by_label("E-mail")).to_have_value("ada@example.com")
    expect(page.get_by_label("Phone Number")).to_have_value("(410) 555-0142")
    check_screen(page, f"{prefix}-01-filled-in", scanner)


@pytest.mark.parametrize("width", [1280, 390])
def test_use_an_existing_contact_then_update_them_everywhere(signed_in_page, official, width):
    user, harbor, zephyr, ada = official
    page = signed_in_page(user)
    page.set_viewport_size({"width": width, "height": 900})
    prefix = f"official-contacts-js-{width}"

    page.goto(add_page(zephyr))
    use_ada(page, prefix)
    assert "from_contact" not in page.url  # filled in place
    assert not Contact.objects.filter(registration__organization=zephyr, first_name="Ada").exists()
    page.get_by_role("button", name="Add Contact").click()
    expect(page.get_by_text("Ada Lovelace was added as a contact.")).to_be_visible()
    zephyr_ada = Contact.objects.get(registration__organization=zephyr, first_name="Ada")

    # Ada's phone changes on Harbor Clinic: Zephyr's Ada is offered, checked.
    page.goto(f"/registration/2025/{harbor.pk}/contacts/{ada.pk}/edit/")
    page.get_by_label("Phone Number").fill("410-555-0199")
    page.get_by_role("button", name="Update").click()
    expect(page.get_by_role("heading", name="Update this contact everywhere")).to_be_visible()
    box = page.get_by_role("checkbox", name="Zephyr Family Medicine, performance year 2025")
    expect(box).to_be_checked()
    check_screen(page, f"{prefix}-02-update-everywhere")

    page.get_by_role("button", name="Update Selected").click()
    expect(
        page.get_by_text("Ada Lovelace was updated on 1 more registration: Zephyr Family Medicine (2025).")
    ).to_be_visible()
    check_screen(page, f"{prefix}-03-updated")
    zephyr_ada.refresh_from_db()
    assert zephyr_ada.phone == "(410) 555-0199"


@pytest.mark.parametrize("width", [1280, 390])
def test_use_an_existing_contact_without_javascript(page, official, width, signed_in_without_javascript):
    user, _harbor, zephyr, _ada = official
    context = signed_in_without_javascript(user, viewport={"width": width, "height": 900})
    try:
        nojs = context.new_page()
        nojs.goto(add_page(zephyr))
        use_ada(nojs, f"official-contacts-nojs-{width}", scanner=page)
        assert "from_contact=" in nojs.url  # the page came back filled in
        assert not Contact.objects.filter(registration__organization=zephyr, first_name="Ada").exists()
        nojs.get_by_role("button", name="Add Contact").click()
        expect(nojs.get_by_text("Ada Lovelace was added as a contact.")).to_be_visible()
        assert Contact.objects.filter(registration__organization=zephyr, first_name="Ada").count() == 1
    finally:
        context.close()
