"""A lost phone, through the help desk, in Chromium, with the demo data (``seed_demo``):
``demo-helpdesk`` records how the caller was verified and resets ``demo-so``'s two-factor from
the user's admin page; ``demo-so`` gets the link, sets up a new authenticator app and signs in;
the other Security Officials get the notice; the superuser sees the reset in the user's history
and in the report of resets by agent and day. Every new page passes axe-core and is saved as a
screenshot at 1280 and 390 px."""

import re

import pyotp
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import TwoFactorDevice, TwoFactorResetRecord
from organizations.models import Organization, Role
from registrations.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.helpers import assert_accessible, screenshot
from tests.factories import RoleFactory, UserFactory

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
NOTE = "Dana lost her phone on a trip. She opened the link we e-mailed; Lee Park vouched for her."


@pytest.fixture
def demo(transactional_db):
    """The demo data, with demo-so's lost phone and two more Security Officials."""
    call_command("seed_demo", verbosity=0)
    users = get_user_model().objects.in_bulk(
        ["demo-so", "demo-helpdesk", "demo-admin"], field_name="username"
    )
    TwoFactorDevice.objects.create(
        user=users["demo-so"], kind="totp", name="Lost phone", secret=pyotp.random_base32()
    )
    organizations = {
        o.identifier: o for o in Organization.objects.filter(identifier__in=["123456789", "234567890"])
    }
    lee = UserFactory(username="lee-park", first_name="Lee", last_name="Park", email="lee@example.com")
    RoleFactory(user=lee, organization=organizations["123456789"], kind=Role.Kind.SECURITY_OFFICIAL)
    RoleFactory(user=lee, organization=organizations["234567890"], kind=Role.Kind.SECURITY_OFFICIAL)
    mo = UserFactory(username="mo-reyes", first_name="Mo", last_name="Reyes", email="mo@example.com")
    RoleFactory(user=mo, organization=organizations["234567890"], kind=Role.Kind.SECURITY_OFFICIAL)
    return users


def look(page, name):
    """axe-core at both widths, a screenshot of each."""
    for size, label in ((DESKTOP, "1280"), (PHONE, "390")):
        page.set_viewport_size(size)
        assert_accessible(page)
        screenshot(page, f"{name}-{label}")
    page.set_viewport_size(DESKTOP)


def test_help_desk_resets_a_lost_phone_and_the_user_sets_up_a_new_one(signed_in_page, context, demo):
    official = demo["demo-so"]
    page = signed_in_page(demo["demo-helpdesk"])
    page.set_viewport_size(DESKTOP)

    # The help desk agent finds the caller's account and opens Reset two-factor….
    page.goto("/admin/accounts/user/?q=demo-so")
    page.get_by_role("link", name="demo-so", exact=True).click()
    page.get_by_role("link", name="Reset two-factor…").click()
    expect(page.get_by_role("heading", name=f"Reset two-factor for {official}")).to_be_visible()
    expect(page.get_by_text("Lost phone (Authenticator app)")).to_be_visible()
    expect(page.get_by_text("d***@example.com")).to_be_visible()
    expect(page.get_by_text("Lee Park (Chesapeake Family Medicine, Harbor Point Pediatrics)")).to_be_visible()
    look(page, "admin-reset-two-factor")

    # Nothing ticked: refused, next to the field, the note kept.
    page.get_by_label("Note").fill(NOTE)
    page.get_by_role("button", name="Reset Two-Factor").click()
    expect(page.get_by_text("Tick at least one check you made before resetting.")).to_be_visible()
    expect(page.get_by_label("Note")).to_have_value(NOTE)
    assert TwoFactorDevice.objects.filter(user=official).exists()
    look(page, "admin-reset-two-factor-error")

    page.get_by_label("The caller opened a link we e-mailed").check()
    page.get_by_label("Another Security Official of the caller's organization vouched").check()
    mail.outbox.clear()
    page.get_by_role("button", name="Reset Two-Factor").click()
    page.wait_for_url(f"**/admin/accounts/user/{official.pk}/change/")
    expect(page.get_by_text("Reset two-factor for demo-so: signed out everywhere")).to_be_visible()
    assert not TwoFactorDevice.objects.filter(user=official).exists()
    assert_accessible(page)
    screenshot(page, "admin-user-after-two-factor-reset")

    # The other Security Officials are told, once each; the link goes to demo-so's address only.
    notices = [m for m in mail.outbox if "reset two-factor sign-in for Dana Sullivan" in m.subject]
    assert sorted(m.to[0] for m in notices) == ["lee@example.com", "mo@example.com"]
    links = [m for m in mail.outbox if m not in notices]
    assert [m.to for m in links] == [["demo-so@example.com"]]
    link = re.search(r"https?://\S+/accounts/two-factor/setup/link/\S+/", links[0].body).group(0)

    # demo-so signs in with the password, opens the link and sets up a new authenticator app.
    context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("User ID").fill("demo-so")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("label[for=id_statement_of_truth]").click()
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_url("**/accounts/two-factor/setup/confirm-email/**")
    page.goto(link)
    page.wait_for_url("**/accounts/two-factor/setup/")
    page.locator("label", has_text="Authenticator app").click()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/accounts/two-factor/setup/app/**")
    secret = page.locator("#totp-secret").get_attribute("data-secret")
    page.get_by_label("One-time code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/accounts/recovery-codes/show/")
    page.get_by_role("link", name="I Saved My Codes, Continue").click()
    page.wait_for_url(re.compile(r".*/$"))
    expect(page.get_by_role("navigation", name="Portal navigation")).to_be_visible()
    assert TwoFactorDevice.objects.get(user=official).name != "Lost phone"

    # The superuser sees the reset in demo-so's history and in the report.
    context.clear_cookies()
    page = signed_in_page(demo["demo-admin"])
    page.goto(f"/admin/accounts/user/{official.pk}/history/")
    history = page.get_by_role("region", name="Change history")
    expect(history).to_contain_text("Two-factor reset")
    expect(history).to_contain_text("Hana Lopez (demo-helpdesk)")
    expect(history).to_contain_text(NOTE)
    look(page, "admin-user-history-two-factor-reset")

    page.goto("/admin/")
    page.get_by_role("link", name="Two-factor resets").click()
    expect(page.get_by_role("heading", name="Two-factor resets by agent and day")).to_be_visible()
    summary = page.get_by_role("region", name="Resets by agent and day")
    expect(summary.get_by_role("row")).to_have_count(2)
    expect(summary.get_by_role("row").nth(1)).to_contain_text("Hana Lopez (demo-helpdesk)")
    expect(summary.get_by_role("row").nth(1).get_by_role("cell").last).to_have_text("1")
    expect(page.locator("#result_list")).to_contain_text("The caller opened a link we e-mailed")
    assert TwoFactorResetRecord.objects.get().agent == demo["demo-helpdesk"]
    look(page, "admin-two-factor-reset-report")
