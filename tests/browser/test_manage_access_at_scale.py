"""Manage Access for a Security Official of 100 organizations, in Chromium (issue 27 #5): one
warning and one invitation form whatever the number, a page that stays short, a backup invited
to all of them with one submission, who accepts them all at once; without JavaScript too."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from organizations.models import Role, SecurityOfficialInvitation
from tests.accounts.conftest import confirm_email
from tests.browser.helpers import (
    FULL_PAGE_SIZE,
    WCAG_22_AND_BEST_PRACTICE_TAGS,
    assert_accessible,
    assert_no_horizontal_overflow,
    axe_violations,
    screenshot,
)
from tests.factories import OrganizationFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
SO = Role.Kind.SECURITY_OFFICIAL
# The page before: a warning and a form on every card, 7,500 px for nine organizations at 1280 px
# (some 20,000 px for a page of 25). Now a page of 25 organizations in two columns (one at
# 390 px), with one warning and one form whose page list is collapsed.
SHORT_AT = {1280: 6000, 390: 10000}


def _official_of(count):
    user = confirm_email(
        UserFactory(username="dana-so", first_name="Dana", last_name="Sullivan", email="dana@example.com")
    )
    for n in range(count):
        RoleFactory(
            user=user,
            kind=SO,
            organization=OrganizationFactory(name=f"Harbor Clinic {n:03d}", identifier=f"{200000000 + n}"),
        )
    return user


def look(page, name, *, short=False):
    """Accessible (WCAG 2.2 and best practices), fits a phone, ``short`` if asked, and a screenshot
    at each width."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page, tags=WCAG_22_AND_BEST_PRACTICE_TAGS)
        assert_no_horizontal_overflow(page)
        if short:
            assert page.evaluate(FULL_PAGE_SIZE)["height"] < SHORT_AT[width], (name, width)
        screenshot(page, f"{name}-{width}")
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def test_a_backup_is_invited_to_100_organizations_with_one_form_and_accepts_them_all(
    page, signed_in_page, transactional_db
):
    official = _official_of(100)
    ines = confirm_email(
        UserFactory(username="ines", first_name="Ines", last_name="Vance", email="ines@example.com")
    )

    signed_in_page(official)
    page.goto("/organizations/")
    expect(
        page.get_by_role("heading", name="You are the only Security Official of 100 organizations")
    ).to_have_count(1)
    assert not [
        v for v in axe_violations(page, tags=WCAG_22_AND_BEST_PRACTICE_TAGS) if v["id"] == "landmark-unique"
    ]
    look(page, "manage-access-100-organizations", short=True)

    # Select all ticks this page's boxes too (JavaScript); unticking one unticks Select all.
    page.locator("summary", has_text="Or choose from the 25 organizations on this page").click()
    page.locator("label[for=invite-every]").click()
    expect(page.locator("input[name=organization]:checked")).to_have_count(25)
    page.locator("label", has_text="Harbor Clinic 003").click()
    expect(page.locator("#invite-every")).not_to_be_checked()
    page.locator("label[for=invite-every]").click()
    page.get_by_label("E-mail address of the person to invite").fill("Ines@Example.com")
    look(page, "manage-access-invitation-form-filled")
    page.get_by_role("button", name="Send Invitation").click()

    expect(
        page.get_by_text(
            "We e-mailed an invitation to ines@example.com to become a Security Official of 100 organizations"
        )
    ).to_be_visible()
    assert SecurityOfficialInvitation.objects.filter(status="pending").count() == 100
    invitation_mails = [m for m in mail.outbox if m.to == ["ines@example.com"]]
    assert len(invitation_mails) == 100
    look(page, "manage-access-100-invited")

    link = re.search(
        r"https?://[^/\s]+(/organizations/invitations/[^\s/]+/)", invitation_mails[7].body
    ).group(1)
    page.context.clear_cookies()
    signed_in_page(ines)
    page.goto(link)
    expect(page.get_by_role("heading", name="You are invited to 100 organizations")).to_be_visible()
    accept_all = page.get_by_role("button", name="Accept All 100 Invitations")
    expect(accept_all).to_be_visible()
    look(page, "invitations-accept-all")
    accept_all.click()

    expect(page.get_by_text("You are now a Security Official of 100 organizations.")).to_be_visible()
    assert Role.objects.filter(user=ines, kind=SO).count() == 100
    expect(page.get_by_role("heading", name=re.compile("You are the only Security Official"))).to_have_count(
        0
    )


def test_without_javascript_the_ticked_organizations_are_invited(
    transactional_db, signed_in_without_javascript
):
    official = _official_of(9)
    context = signed_in_without_javascript(official)
    page = context.new_page()
    try:
        page.set_viewport_size({"width": 390, "height": 900})
        page.goto("/organizations/")
        expect(
            page.get_by_role("heading", name="You are the only Security Official of 9 organizations")
        ).to_be_visible()
        # Nothing chosen: said next to the choices, what was typed kept.
        page.get_by_label("E-mail address of the person to invite").fill("ines@example.com")
        page.get_by_role("button", name="Send Invitation").click()
        expect(page.locator("#invite-organizations-error")).to_have_text(
            "Select the organizations to invite the person to."
        )
        assert page.url.endswith("#invite-errors")
        expect(page.get_by_label("E-mail address of the person to invite")).to_have_value("ines@example.com")
        screenshot(page, "manage-access-no-js-nothing-chosen-390")

        page.locator("summary", has_text="Or choose from the 9 organizations on this page").click()
        page.locator("label", has_text="Harbor Clinic 002").click()
        page.locator("label", has_text="Harbor Clinic 005").click()
        page.get_by_role("button", name="Send Invitation").click()
        expect(
            page.get_by_text(
                "We e-mailed an invitation to ines@example.com to become a Security Official of 2 "
                "organizations"
            )
        ).to_be_visible()
        assert sorted(SecurityOfficialInvitation.objects.values_list("organization__name", flat=True)) == [
            "Harbor Clinic 002",
            "Harbor Clinic 005",
        ]
        assert len(mail.outbox) == 2
    finally:
        context.close()
