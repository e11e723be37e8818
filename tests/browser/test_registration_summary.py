"""Download the 2025 Registration Summary (a year configured like 2021) and read it."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from registrations.guide_years import LIKE_2021, open_window_around
from registrations.services import registration_get_or_create
from tests.browser.helpers import assert_accessible, screenshot
from tests.browser.test_cahps_2023_flow import pdf_words
from tests.factories import (
    ContactFactory,
    OrganizationFactory,
    PerformanceYearFactory,
    RoleFactory,
    UserFactory,
)

CAHPS = "CAHPS for MIPS Survey"


@pytest.fixture
def started(db):
    """A 2025 registration with a complete contact, not yet registered for either program."""
    year = PerformanceYearFactory(year=2025, **LIKE_2021, **open_window_around(timezone.now()))
    user = UserFactory(username="dana", first_name="Dana", last_name="Sullivan")
    practice = OrganizationFactory(name="Chesapeake Family Medicine", identifier="123456789")
    RoleFactory(user=user, organization=practice)
    registration = registration_get_or_create(organization=practice, year=year, by=user)
    ContactFactory(registration=registration)
    return user, practice, registration


def test_register_then_download_and_read_the_2025_summary(signed_in_page, started):
    user, practice, registration = started
    page = signed_in_page(user)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/registration/2025/")
    card = page.locator(f"#org-{practice.pk}")
    expect(card.get_by_role("link", name="Download Registration Summary")).to_have_count(0)

    card.get_by_label("Organization Size").select_option("100+")
    card.get_by_role("button", name=f"Register Chesapeake Family Medicine for the {CAHPS}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit Registration")
    page.get_by_role("button", name=f"Register for the {CAHPS}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Congratulations, you have successfully registered!"
    )
    assert_accessible(page)
    screenshot(page, "registration-summary-congratulations")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download Registration Summary (PDF)").click()
    assert (
        download.value.suggested_filename == f"Registration-Summary-2025-{registration.registration_id}.pdf"
    )
    words = pdf_words(download.value.path())
    assert "Registration Summary" in words
    assert "Performance Year 2025" in words
    assert registration.registration_id in words
    assert f"{CAHPS} Registered by the Security Official on " in words
    assert ": Dana Sullivan (User ID dana)" in words
    assert "CMS Web Interface Not registered" in words
    assert "100 or more clinicians" in words
    assert "***-**-6789" in words
    contact = registration.contacts.get()
    assert f"{contact.full_name} {contact.phone} {contact.email}" in words

    # The Registration Overview offers the same download from the organization's card.
    page.get_by_role("link", name="Back to List").click()
    summary_link = card.get_by_role(
        "link", name="Download Registration Summary of Chesapeake Family Medicine (PDF)"
    )
    expect(summary_link).to_be_visible()
    assert_accessible(page)
    screenshot(page, "registration-summary-overview")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "registration-summary-overview-390")
    with page.expect_download() as again:
        summary_link.click()
    assert registration.registration_id in pdf_words(again.value.path())
