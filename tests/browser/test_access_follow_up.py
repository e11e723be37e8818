"""Access past the guides, in Chromium: a sole Security Official invites a second one, who
signs in from the e-mailed link and accepts; a requester follows a role request (who can
approve it, how long it has waited) and withdraws it."""

import re
from datetime import timedelta

import pyotp
import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import TwoFactorDevice
from organizations.models import Role, RoleRequest
from tests.accounts.conftest import confirm_email
from tests.browser.helpers import (
    assert_accessible,
    assert_no_horizontal_overflow,
    find_organization_to_connect,
    screenshot,
)
from tests.factories import TEST_PASSWORD, OrganizationFactory, RoleFactory, UserFactory

WIDTHS = (1280, 390)


@pytest.fixture
def official(transactional_db):
    user = UserFactory(username="dana-so", first_name="Dana", last_name="Sullivan", email="dana@example.com")
    confirm_email(user)
    organization = OrganizationFactory(name="Chesapeake Family Medicine", identifier="123456789")
    RoleFactory(user=user, organization=organization, kind=Role.Kind.SECURITY_OFFICIAL)
    return user


def look(page, name):
    """Accessible, fits a phone, and a screenshot at each width."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
        assert_no_horizontal_overflow(page)
        screenshot(page, f"{name}-{width}")
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def test_a_sole_security_official_invites_a_second_one_who_accepts(page, signed_in_page, official):
    invitee = confirm_email(
        UserFactory(username="ines", first_name="Ines", last_name="Vance", email="ines@example.com")
    )
    device = TwoFactorDevice.objects.create(
        user=invitee, kind="totp", name="Phone", secret=pyotp.random_base32()
    )

    signed_in_page(official)
    page.goto("/")
    expect(
        page.get_by_role("heading", name="You are the only Security Official of Chesapeake Family Medicine")
    ).to_be_visible()
    look(page, "home-sole-security-official")
    page.get_by_role("link", name=re.compile("^Invite a Security Official")).click()
    page.get_by_label("E-mail address of the person to invite").fill("ines at example")
    page.get_by_role("button", name="Send Invitation").click()
    expect(page.get_by_text("Enter an e-mail address, like name@example.com.").first).to_be_visible()
    expect(page.get_by_label("E-mail address of the person to invite")).to_have_value("ines at example")
    look(page, "invite-security-official-error")

    page.get_by_role("link", name="Manage Access", exact=True).click()
    expect(page.get_by_role("heading", name="You are the only Security Official")).to_be_visible()
    look(page, "manage-access-sole-security-official")
    page.get_by_label("E-mail address of the person to invite").fill("Ines@Example.com")
    page.locator("label[for=invite-every]").click()
    page.get_by_role("button", name=re.compile("^Send Invitation")).click()
    expect(page.get_by_text("We e-mailed an invitation to ines@example.com")).to_be_visible()
    expect(page.get_by_text("ines@example.com, Security Official, valid until")).to_be_visible()
    # A second invitation to a mistyped address, withdrawn at once.
    page.get_by_label("E-mail address of the person to invite").fill("ines@exmaple.com")
    page.locator("label[for=invite-every]").click()
    page.get_by_role("button", name=re.compile("^Send Invitation")).click()
    look(page, "manage-access-invitations-waiting")
    page.get_by_role("link", name="Withdraw the invitation of ines@exmaple.com").click()
    expect(page.get_by_role("heading", name="Withdraw Invitation", level=1)).to_be_visible()
    look(page, "withdraw-invitation-confirmation")
    page.get_by_role("button", name="Withdraw", exact=True).click()
    expect(page.get_by_text("You withdrew the invitation of ines@exmaple.com.")).to_be_visible()
    [invitation_mail] = [m for m in mail.outbox if m.to == ["ines@example.com"]]
    link = re.search(r"https?://[^/\s]+(/organizations/invitations/[^\s/]+/)", invitation_mail.body).group(1)

    # The invited person opens the link signed out, signs in, and lands on the invitation.
    page.get_by_role("banner").get_by_role("button", name="Sign Out").click()
    page.wait_for_url("**/accounts/login/")
    page.goto(link)
    expect(page.get_by_text("Sign in to accept your invitation to be a Security Official")).to_be_visible()
    page.get_by_label("User ID").fill("ines")
    page.locator("#id_password").fill(TEST_PASSWORD)
    page.locator("label[for=id_statement_of_truth]").click()
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_url("**/accounts/two-factor/**")
    page.get_by_label("One-time code").fill(pyotp.TOTP(device.secret).now())
    page.get_by_role("button", name="Verify").last.click()
    page.wait_for_url(f"**{link}")
    expect(page.get_by_role("heading", name="Invitation to be a Security Official", level=1)).to_be_visible()
    expect(page.get_by_text("Dana Sullivan invited you on")).to_be_visible()
    look(page, "invitation-to-accept")

    page.get_by_role("button", name="Accept Invitation").click()
    expect(page.get_by_text("You are now a Security Official of Chesapeake Family Medicine.")).to_be_visible()
    expect(page.get_by_role("heading", name="Chesapeake Family Medicine")).to_be_visible()
    assert Role.objects.get(user=invitee).kind == Role.Kind.SECURITY_OFFICIAL
    assert RoleRequest.objects.get(user=invitee).decided_by == official
    # Two Security Officials now: no warning for either.
    expect(page.get_by_role("heading", name="You are the only Security Official")).to_have_count(0)


def test_a_requester_sees_who_approves_and_the_waiting_time_then_withdraws(signed_in_page, official):
    newcomer = UserFactory(username="jordan-new", first_name="Jordan", last_name="Rivera")
    page = signed_in_page(newcomer)

    find_organization_to_connect(
        page, kind="Practice (group) — TIN", identifier="123456789", name="Chesapeake Family Medicine"
    )
    page.locator("label", has_text="Staff User").click()
    page.get_by_role("button", name="Request Access").click()

    expect(page.get_by_role("heading", name="Your request for Chesapeake Family Medicine")).to_be_visible()
    expect(page.get_by_text("The organization’s Security Officials", exact=True)).to_be_visible()
    assert "Dana" not in page.locator("main").inner_text()
    assert [m.subject for m in mail.outbox if m.to == [newcomer.email]] == [
        "We received your request for the Staff User role for Chesapeake Family Medicine"
    ]
    # Two days later.
    RoleRequest.objects.filter(user=newcomer).update(requested_at=timezone.now() - timedelta(days=2, hours=3))
    page.reload()
    expect(page.get_by_text("waiting 2 days, 3 hours")).to_be_visible()
    look(page, "own-role-request")

    # Meanwhile the Security Official sees it on Home.
    official_page = signed_in_page(official)
    official_page.goto("/")
    expect(official_page.get_by_role("heading", name="Requests waiting for your approval")).to_be_visible()
    look(official_page, "home-requests-to-approve")
    official_page.get_by_role("link", name=re.compile("^Approve")).click()
    expect(official_page.get_by_role("heading", name="Approve request", level=1)).to_be_visible()
    look(official_page, "approve-request-confirmation")

    page = signed_in_page(newcomer)
    page.goto("/organizations/")
    page.get_by_role("link", name="Staff User for Chesapeake Family Medicine").click()
    page.get_by_role("link", name="Withdraw Request").click()
    expect(page.get_by_role("heading", name="Withdraw Request", level=1)).to_be_visible()
    look(page, "withdraw-request-confirmation")
    page.get_by_role("button", name="Withdraw", exact=True).click()

    expect(
        page.get_by_text("You withdrew your request for the Staff User role for Chesapeake Family Medicine.")
    ).to_be_visible()
    expect(
        page.get_by_text(re.compile("Staff User for Chesapeake Family Medicine — withdrawn on"))
    ).to_be_visible()
    assert RoleRequest.objects.get(user=newcomer).status == RoleRequest.Status.WITHDRAWN
