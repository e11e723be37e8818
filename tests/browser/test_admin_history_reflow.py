"""Every admin History page reflows on a phone (WCAG 2.2, 1.4.10): at 390 CSS pixels the page
itself never scrolls sideways; the history table, a data table, scrolls inside its own region,
which is named and reached with the keyboard (axe's scrollable-region-focusable). Long unbroken
values in the changes wrap. The same pages at 1280 pixels, and a screenshot of each."""

import re

import pytest
from playwright.sync_api import expect

from qpp_registration.core.history import save_with_history
from tests.browser.helpers import check_screen

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# Long values without a space to break at, as staff paste them: an address, a reference.
LONG_EMAIL = "ada.augusta.king.countess.of.lovelace.analytical.engine.notes@records.department.example.com"
LONG_NAME = "Chesapeake-Family-Medicine-and-Associates-of-the-Greater-Tidewater-Region-Incorporated"
LONG_REASON = (
    "Address corrected after the Security Official called the help desk: the practice moved to "
    "a new suite in the same building and the old one no longer receives mail from CMS."
)


@pytest.fixture
def user_with_history(help_desk_agent, security_official):
    official = security_official
    official.email = LONG_EMAIL
    save_with_history(official, by=help_desk_agent, reason="E-mail address confirmed on the phone.")
    official.first_name, official.last_name = "Samantha", "Official-Whitcombe"
    save_with_history(official, by=help_desk_agent, reason=LONG_REASON)
    official.is_active = False
    save_with_history(official, by=help_desk_agent, reason="Left the practice.")
    return official


@pytest.fixture
def organization_with_history(help_desk_agent, practice):
    practice.name = LONG_NAME
    save_with_history(practice, by=help_desk_agent, reason="Legal name from the TIN letter.")
    practice.address_line_1 = "Suite 1200, 4400 Greenspring Avenue, Lutherville-Timonium Professional Center"
    practice.city = "Lutherville-Timonium"
    save_with_history(practice, by=help_desk_agent, reason=LONG_REASON)
    practice.zip_code = "21093"
    save_with_history(practice, by=help_desk_agent, reason="ZIP code matched to the new suite.")
    return practice


def history_pages(user, organization):
    return {
        "user": f"/admin/accounts/user/{user.pk}/history/",
        "organization": f"/admin/organizations/organization/{organization.pk}/history/",
        # The help desk's page of everything about an organization includes the same table.
        "organization-full-history": f"/admin/organizations/organization/{organization.pk}/full-history/",
    }


def page_width(page):
    return page.evaluate("({scroll: document.documentElement.scrollWidth, viewport: window.innerWidth})")


@pytest.mark.parametrize("which", ["user", "organization", "organization-full-history"])
def test_history_page_reflows_with_its_table_in_a_focusable_named_region(
    signed_in_page, help_desk_agent, user_with_history, organization_with_history, which
):
    page = signed_in_page(help_desk_agent)
    path = history_pages(user_with_history, organization_with_history)[which]

    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        page.goto(path)
        table = page.locator("table", has=page.locator("caption", has_text="newest first"))
        expect(table.get_by_role("row").nth(3)).to_be_visible()  # a header and three changes or more
        expect(table).to_contain_text(LONG_EMAIL if which == "user" else LONG_NAME)

        width = page_width(page)
        assert width["scroll"] <= width["viewport"], (
            f"{path} scrolls sideways at {viewport['width']}px: {width['scroll']}px wide"
        )

        region = page.locator(":has(> table)", has=table)
        expect(region).to_have_attribute("tabindex", "0")
        expect(region).to_have_role("region")
        expect(region).to_have_accessible_name(re.compile(r"\w"))
        region.focus()
        expect(region).to_be_focused()

        check_screen(page, f"admin-history-reflow-{which}-{viewport['width']}")
