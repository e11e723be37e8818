"""Register as Last Year in Chromium: three organizations registered for the previous year
are selected and registered in one step; one, registered meanwhile by a colleague, is refused
with its reason and the other two are registered (axe on each screen)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from registrations.guide_years import LIKE_2021, open_window_around
from registrations.models import ProgramStatus, Registration, Size, Source
from tests.browser.helpers import assert_accessible, screenshot
from tests.factories import (
    OrganizationFactory,
    PerformanceYearFactory,
    RegistrationFactory,
    RoleFactory,
    UserFactory,
    registered,
)

pytestmark = pytest.mark.browser

NAMES = ("Allegheny Health Partners", "Bayview Pediatrics", "Chesapeake Family Medicine")


@pytest.fixture
def official(db):
    now = timezone.now()
    closed = {"window_opens": now - timedelta(days=400), "window_closes": now - timedelta(days=300)}
    last = PerformanceYearFactory(year=2024, **LIKE_2021, **closed)
    this = PerformanceYearFactory(year=2025, **LIKE_2021, **open_window_around(now))
    user = UserFactory(username="again-so", first_name="Dana", last_name="Sullivan")
    organizations = []
    for name, size in zip(NAMES, (Size.MEDIUM, Size.SMALL, Size.LARGE), strict=True):
        organization = OrganizationFactory(name=name)
        RoleFactory(user=user, organization=organization)
        last_name = name.split()[0]
        registered(
            organization,
            last,
            size=size,
            web_interface=size != Size.SMALL,
            first_name="Pat",
            last_name=last_name,
        )
        organizations.append(organization)
    return user, organizations, this


@pytest.mark.parametrize("width", [1280, 390])
def test_register_three_organizations_as_last_year_in_one_step(signed_in_page, official, width):
    user, organizations, this = official
    page = signed_in_page(user)
    page.set_viewport_size({"width": width, "height": 900})

    page.goto("/registration/2025/")
    offer = page.get_by_role("region", name="Register as last year")
    expect(offer).to_contain_text("3 of your organizations were registered in the previous performance year.")
    card = page.locator(f"#org-{organizations[0].pk}")
    expect(card.get_by_role("link", name=re.compile(f"^Register as last year.*{NAMES[0]}"))).to_be_visible()
    assert_accessible(page)
    offer.get_by_role("link", name="Register as Last Year").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Register as Last Year")
    row = page.locator(f"#org-{organizations[1].pk}")
    expect(row).to_contain_text("CAHPS for MIPS Survey")
    expect(row).to_contain_text("Organization size: 2–24")
    expect(row).to_contain_text("Pat Bayview")  # the contact carried over
    assert_accessible(page)
    screenshot(page, f"as-last-year-review-{width}")
    for name in NAMES:  # the label, as a person does: USWDS draws its own box over the input
        page.locator("label.usa-checkbox__label", has_text=name).click()
        expect(page.get_by_label(f"Register {name} as last year")).to_be_checked()

    # Meanwhile a colleague registers Chesapeake Family Medicine for 2025 by hand.
    RegistrationFactory(
        organization=organizations[2],
        performance_year=this,
        size=Size.LARGE,
        cahps_status=ProgramStatus.REGISTERED,
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    page.get_by_role("button", name="Register", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Registration Overview")
    messages = page.locator(".qpp-messages")
    for name in NAMES[:2]:
        expect(messages).to_contain_text(f"{name} is registered for performance year 2025 as last year")
    expect(messages).to_contain_text(
        "Chesapeake Family Medicine was not registered: Chesapeake Family Medicine already has a registration"
    )
    expect(messages).to_be_in_viewport()
    assert_accessible(page)
    screenshot(page, f"as-last-year-done-{width}")
    registered = Registration.objects.filter(performance_year=this, organization__in=organizations[:2])
    assert sorted(r.size for r in registered) == [Size.SMALL, Size.MEDIUM]
    assert all(r.cahps_status == ProgramStatus.REGISTERED for r in registered)
    colleagues = Registration.objects.get(performance_year=this, organization=organizations[2])
    assert colleagues.contacts.count() == 0  # nothing of last year's was added to it
