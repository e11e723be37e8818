"""A contact with no account stops sampling notices from the link in one, and starts them again."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from qpp_registration.core.background import unsubscribe
from qpp_registration.core.emails import Recipient
from registrations import emails as registration_emails
from registrations.models import SamplingOutcome, Size
from tests.browser.helpers import assert_accessible, assert_no_horizontal_overflow, screenshot
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS = "dana@example.com"


@pytest.fixture
def notice_html(live_server):
    """The HTML of a sampling notice Dana received (its links lead to the live server)."""
    registration = RegistrationFactory(size=Size.MEDIUM)
    registration_emails.notify_sampling_notice(
        registration=registration,
        outcome=SamplingOutcome.NO_MEDICARE_PATIENTS,
        recipients=[Recipient(name="Dana Sullivan", email=ADDRESS)],
    )
    [message] = mail.outbox
    return message.alternatives[0][0]


@pytest.mark.parametrize("width", [1280, 390])
def test_a_contact_stops_sampling_notices_from_the_emails_link(page, notice_html, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.set_content(notice_html)
    page.get_by_role("link", name="Stop these e-mails").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Stop sampling notices?")
    expect(page.get_by_role("main")).to_contain_text(ADDRESS)
    assert not unsubscribe.is_stopped(address=ADDRESS, kind="sampling_notice"), (
        "opening the link stops nothing"
    )
    assert_accessible(page)
    assert_no_horizontal_overflow(page)
    screenshot(page, f"email-stop-ask-{width}")

    page.get_by_role("button", name="Stop these e-mails").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sampling notices stopped")
    expect(page.get_by_role("status")).to_contain_text(f"We will send no more sampling notices to {ADDRESS}.")
    assert unsubscribe.is_stopped(address=ADDRESS, kind="sampling_notice")
    assert_accessible(page)
    assert_no_horizontal_overflow(page)
    screenshot(page, f"email-stop-done-{width}")

    page.get_by_role("button", name="Start these e-mails again").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Stop sampling notices?")
    expect(page.get_by_role("status")).to_contain_text(f"Sampling notices to {ADDRESS} are sent again.")
    assert not unsubscribe.is_stopped(address=ADDRESS, kind="sampling_notice")
