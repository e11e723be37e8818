"""What tripped a new user on the 2020/2021 screens, walked in Chromium with axe on each screen.

- Register on Registration Details after the size went 25–99 → 2–24 → 25–99 keeps the size.
- With two open years, Connected Organizations shows both, each with its Edit Registration.
- Register under the CMS Web Interface shows only at a size that allows it, and its hint goes.
- Register without a size: the error names the organization and the page stays at its card.
- After an action, its message is on screen and has focus.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from registrations.guide_years import LIKE_2021, LIKE_2023, open_window_around
from registrations.models import ProgramStatus, Size, Source
from tests.browser.helpers import assert_accessible, screenshot
from tests.factories import (
    ContactFactory,
    OrganizationFactory,
    PerformanceYearFactory,
    RegistrationFactory,
    RoleFactory,
    UserFactory,
)

YEAR = 2025
WEB_INTERFACE = "CMS Web Interface"
CAHPS = "CAHPS for MIPS Survey"


@pytest.fixture
def years(db):
    window = open_window_around(timezone.now())
    return (
        PerformanceYearFactory(year=2025, **LIKE_2021, **window),
        PerformanceYearFactory(year=2026, **LIKE_2023, **window),
    )


@pytest.fixture
def official(db):
    user = UserFactory(username="first-run-so", first_name="Dana", last_name="Sullivan")
    practices = [
        OrganizationFactory(name=name, identifier=identifier, address_line_1="1 Main St", city="Baltimore")
        for name, identifier in [
            ("Allegheny Health Partners", "345678901"),
            ("Blue Ridge Family Practice", "234567891"),
            ("Chesapeake Family Medicine", "123456789"),
            ("Delmarva Primary Care", "456789013"),
        ]
    ]
    for practice in practices:
        RoleFactory(user=user, organization=practice)
    return user, practices


def check(page, name):
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    assert_accessible(page)
    screenshot(page, f"first-run-{name}")


def card(page, organization):
    return page.locator(f"#org-{organization.pk}")


def in_viewport(page, locator):
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= -1 and box["y"] + min(box["height"], 40) <= height


def test_register_on_registration_details_after_the_size_went_down_and_up_keeps_the_size(
    signed_in_page, years, official
):
    user, practices = official
    practice = practices[2]
    registration = RegistrationFactory(
        organization=practice,
        performance_year=years[0],
        size=Size.MEDIUM,
        web_interface_status=ProgramStatus.REGISTERED,
        web_interface_source=Source.SECURITY_OFFICIAL,
    )
    ContactFactory(registration=registration, first_name="Dana", last_name="Sullivan")
    page = signed_in_page(user)

    page.goto(f"/registration/{YEAR}/{practice.pk}/")
    page.get_by_role("link", name="Edit organization size").click()
    page.get_by_label("Organization Size").select_option("2-24")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Its CMS Web Interface registration was cancelled")).to_be_visible()
    page.goto(f"/registration/{YEAR}/{practice.pk}/size/?return_to=details")
    page.get_by_label("Organization Size").select_option("25-99")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chesapeake Family Medicine")
    check(page, "01-details-after-size-back-to-25-99")

    page.get_by_role("button", name=f"Register for the {WEB_INTERFACE}").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Submit Registration")
    expect(page.get_by_text("Select the organization size")).to_have_count(0)
    check(page, "02-submit-after-register-from-details")
    registration.refresh_from_db()
    assert registration.size == Size.MEDIUM


@pytest.mark.parametrize("width", [1280, 390])
def test_connected_organizations_shows_every_open_year_each_with_edit_registration(
    signed_in_page, years, official, width
):
    user, practices = official
    RegistrationFactory(
        organization=practices[2],
        performance_year=years[0],
        cahps_status=ProgramStatus.REGISTERED,
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    page = signed_in_page(user)
    page.set_viewport_size({"width": width, "height": 900})

    page.goto("/organizations/connected/")

    expect(page.get_by_role("heading", name="Registration is open for 2 performance years")).to_be_visible()
    first = page.get_by_role("region", name="Performance year 2025")
    second = page.get_by_role("region", name="Performance year 2026 (CAHPS for MIPS Survey)")
    expect(
        first.get_by_role("link", name="Edit Registration of Chesapeake Family Medicine for 2025")
    ).to_be_visible()
    expect(
        second.get_by_role("link", name="Edit Registration of Chesapeake Family Medicine for 2026")
    ).to_have_count(1)
    assert first.bounding_box()["y"] < second.bounding_box()["y"]
    check(page, f"03-connected-organizations-two-years-{width}")

    first.get_by_role("link", name="Edit Registration of Chesapeake Family Medicine for 2025").click()
    expect(page).to_have_url(re.compile(rf"/registration/{YEAR}/#org-{practices[2].pk}$"))


def test_web_interface_register_shows_only_at_a_size_that_allows_it(signed_in_page, years, official):
    user, practices = official
    practice = practices[2]
    page = signed_in_page(user)

    page.goto(f"/registration/{YEAR}/")
    register = card(page, practice).get_by_role(
        "button", name=f"Register Chesapeake Family Medicine for the {WEB_INTERFACE}"
    )
    hint = card(page, practice).get_by_text("Select 25–99 or 100 or more clinicians to register for it.")
    size = card(page, practice).get_by_label("Organization Size")

    expect(register).to_be_hidden()  # no size yet [2020 §IV.2]
    expect(hint).to_be_visible()
    check(page, "04-overview-no-size")
    size.select_option("2-24")
    expect(register).to_be_hidden()
    expect(hint).to_be_visible()
    size.select_option("25-99")
    expect(register).to_be_visible()
    expect(hint).to_be_hidden()
    size.select_option("")
    expect(register).to_be_hidden()


def test_register_without_a_size_names_the_organization_and_stays_at_its_card(
    signed_in_page, years, official
):
    user, practices = official
    practice = practices[3]  # the last card: far down the page
    page = signed_in_page(user)
    page.set_viewport_size({"width": 1280, "height": 700})

    page.goto(f"/registration/{YEAR}/")
    card(page, practice).get_by_role("button", name=f"Register Delmarva Primary Care for the {CAHPS}").click()

    summary = card(page, practice).get_by_role("alert")
    expect(summary).to_contain_text("There is a problem with Delmarva Primary Care")
    expect(summary).to_contain_text("Select the organization size of Delmarva Primary Care")
    expect(summary).to_be_focused()
    assert in_viewport(page, summary)
    check(page, "05-overview-register-without-size")


def test_after_a_refused_register_the_next_register_leaves_no_error_fragment(signed_in_page, years, official):
    # [issue 28 #18]: the card's form is sent to …#register-errors; the page a success leads to
    # (here Congratulations, the organization's contacts carried over) must not keep that fragment.
    user, practices = official
    practice = practices[3]
    registration = RegistrationFactory(
        organization=practice,
        performance_year=years[0],
        size=Size.MEDIUM,
        web_interface_status=ProgramStatus.REGISTERED,
        web_interface_source=Source.SECURITY_OFFICIAL,
    )
    ContactFactory(registration=registration)
    page = signed_in_page(user)
    page.set_viewport_size({"width": 1280, "height": 700})

    page.goto(f"/registration/{YEAR}/")
    card(page, practice).get_by_role("button", name=f"Register Delmarva Primary Care for the {CAHPS}").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Congratulations, you have successfully registered!"
    )
    assert "register-errors" not in page.url
    assert page.evaluate("window.scrollY") == 0


def test_after_cancel_registration_the_message_is_in_view_and_focused(signed_in_page, years, official):
    user, practices = official
    practice = practices[3]
    RegistrationFactory(
        organization=practice,
        performance_year=years[0],
        cahps_status=ProgramStatus.REGISTERED,
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    page = signed_in_page(user)
    page.set_viewport_size({"width": 1280, "height": 700})

    page.goto(f"/registration/{YEAR}/")
    card(page, practice).get_by_role(
        "link", name=f"Cancel Registration of Delmarva Primary Care for the {CAHPS}"
    ).click()
    page.get_by_role("button", name="Continue").click()

    message = page.get_by_text("You have successfully cancelled the CAHPS for MIPS Survey registration")
    expect(message).to_be_visible()
    expect(page.locator(".qpp-messages")).to_be_focused()
    assert in_viewport(page, message)
    check(page, "06-overview-after-cancel")


def test_without_javascript_web_interface_without_a_size_is_refused_next_to_that_organization(
    years, official, signed_in_without_javascript
):
    user, practices = official
    practice = practices[3]
    context = signed_in_without_javascript(user)
    page = context.new_page()
    try:
        page.set_viewport_size({"width": 1280, "height": 700})
        page.goto(f"/registration/{YEAR}/")
        card(page, practice).get_by_role(
            "button", name=f"Register Delmarva Primary Care for the {WEB_INTERFACE}"
        ).click()
        summary = card(page, practice).get_by_role("alert")
        expect(summary).to_contain_text("Select the organization size of Delmarva Primary Care")
        assert page.url.endswith("#register-errors")
        assert in_viewport(page, summary)
        screenshot(page, "first-run-07-no-js-web-interface-without-size")
    finally:
        context.close()
