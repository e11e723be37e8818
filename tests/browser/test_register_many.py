"""Register many at once in Chromium [issue 27 item 2]: an official of 60 organizations filters the
Overview to the 40 not registered, registers all of them in one go with one of their existing
contacts, and watches the progress bar while the worker registers them; two are refused for a
stated reason (their mailing address is missing). At 1280 and 390 px, with and without JavaScript
(the page then refreshes itself), axe on every screen. The same in a CAHPS-only year [2023], from the
CAHPS list's tab and status filter, the organizations' CAHPS registrations Complete."""

import re
import threading
import time

import pytest
from asgiref.local import Local
from django.db import connection
from django.tasks import task_backends
from django.utils import timezone
from playwright.sync_api import expect

from qpp_registration.core.background.models import OutgoingEmail
from registrations import bulk_registration
from registrations.bulk_registration import run_bulk_registration
from registrations.guide_years import LIKE_2021, LIKE_2023, open_window_around
from registrations.models import BulkRegistration, ProgramStatus, Registration, Size
from tests.browser.helpers import check_screen, screenshot
from tests.factories import (
    OrganizationFactory,
    PerformanceYearFactory,
    RoleFactory,
    SubgroupFactory,
    UserFactory,
    registered,
)

pytestmark = pytest.mark.browser

PAT = {"first_name": "Pat", "last_name": "Lee", "email": "pat.lee@example.com", "phone": "(410) 555-0100"}


def use_tasks(settings, backend):
    settings.TASKS = {"default": {"BACKEND": backend}}
    task_backends.__dict__.pop("settings", None)
    task_backends._settings = None
    task_backends._connections = Local(task_backends.thread_critical)


@pytest.fixture
def official_of_60(db, settings):
    # Forty organizations stand for "more than ~50": they go to the worker, which the test plays.
    settings.BULK_REGISTRATION_IN_REQUEST = 20
    use_tasks(settings, "django_tasks_db.DatabaseBackend")
    year = PerformanceYearFactory(year=2025, **LIKE_2021, **open_window_around(timezone.now()))
    user = UserFactory(username="many-so", first_name="Dana", last_name="Sullivan")
    organizations = [
        OrganizationFactory(name=f"Harbor Clinic {n:02d}", identifier=f"{900000000 + n}") for n in range(60)
    ]
    for organization in organizations:
        RoleFactory(user=user, organization=organization)
    for organization in organizations[:20]:
        registered(organization, year, size=Size.MEDIUM, **PAT)
    no_address = organizations[20:22]
    for organization in no_address:  # refused: the mailing address is missing
        organization.address_line_1 = ""
        organization.save()
    yield user, year, organizations
    use_tasks(settings, "django.tasks.backends.immediate.ImmediateBackend")


class Worker:
    """The task worker, played by a thread: runs the queued bulk registration a little slowly,
    so that the page shows it half done. It pauses between organizations, outside their
    transactions: on SQLite a transaction holds the one write lock, which every request takes
    too (IMMEDIATE), so the page's questions get in between two organizations."""

    def __init__(self, monkeypatch):
        real = bulk_registration._run_item

        def slowly(*args, **kwargs):
            time.sleep(0.08)
            return real(*args, **kwargs)

        monkeypatch.setattr(bulk_registration, "_run_item", slowly)
        self.error = None
        self.thread = None

    def start(self, bulk_id):
        def work():
            try:
                run_bulk_registration.call(bulk_id)
            except Exception as error:
                self.error = error
            finally:
                connection.close()

        self.thread = threading.Thread(target=work)
        self.thread.start()

    def join(self):
        self.thread.join(60)
        assert self.error is None, self.error


def register_forty(page, width, worker, *, scanner=None):
    prefix = f"register-many-{'nojs' if scanner else 'js'}-{width}"
    page.goto("/registration/2025/")
    page.get_by_label("Status", exact=True).select_option("Not registered")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#results-summary")).to_have_text("40 of 60 organizations match. Showing 1–25.")
    page.get_by_role("link", name="Register many at once").click()

    # The selection: all 40 that match, one size, both programs, Pat Lee as the contact.
    expect(page.get_by_role("heading", level=1)).to_have_text("Register Many at Once")
    expect(page.get_by_text("Your organizations matching status not registered: 40.")).to_be_visible()
    check_screen(page, f"{prefix}-01-select", scanner)
    page.locator("label", has_text="All 40 organizations matching this filter").click()
    page.get_by_label("Organization size for all").select_option("25–99")
    expect(page.get_by_label("CMS Web Interface")).to_be_checked()
    expect(page.get_by_label("CAHPS for MIPS Survey")).to_be_checked()
    page.locator("label", has_text="Pat Lee, pat.lee@example.com").click()
    page.get_by_role("button", name="Continue").click()

    # The review: nothing is registered yet; two will be refused, with the reason.
    expect(page.get_by_role("heading", level=1)).to_have_text("Review before registering")
    expect(page.locator("#review-counts")).to_contain_text("38 will be registered")
    expect(page.locator("#review-counts")).to_contain_text("2 cannot be registered")
    expect(page.locator("tr", has_text="Harbor Clinic 20")).to_contain_text(
        "Cannot be registered. Complete the organization information: mailing address."
    )
    assert not Registration.objects.filter(organization__name="Harbor Clinic 30").exists()
    check_screen(page, f"{prefix}-02-review", scanner)
    page.get_by_role("button", name="Register", exact=True).click()

    # The progress: the worker registers them while the page follows.
    expect(page.get_by_role("heading", level=1)).to_have_text("Registering 40 organizations")
    bar = page.locator("#bulk-progress-bar")
    expect(bar).to_have_attribute("max", "40")
    check_screen(page, f"{prefix}-03-progress-waiting", scanner)
    bulk = BulkRegistration.objects.get()
    worker.start(bulk.pk)
    if scanner is None:  # the script moves the bar without reloading the page
        expect(page.locator("#bulk-progress-text")).to_have_text(re.compile(r"^([1-9]|[1-3]\d) of 40 done"))
        screenshot(page, f"{prefix}-04-progress-moving")
    worker.join()

    # The result, once the page noticed (the script, or the refresh without it).
    expect(page.get_by_role("heading", level=1)).to_have_text("Registered many organizations", timeout=15_000)
    expect(page.locator("#result-heading")).to_have_text(
        "38 of 40 organizations registered for performance year 2025"
    )
    refused = page.locator("tr", has_text="Harbor Clinic 21")
    expect(refused).to_contain_text("Not registered: Complete the organization information: mailing address.")
    check_screen(page, f"{prefix}-05-result", scanner)

    registrations = Registration.objects.filter(performance_year__year=2025)
    assert registrations.filter(web_interface_status=ProgramStatus.REGISTERED).count() == 20 + 38
    assert not registrations.filter(organization__name__in=["Harbor Clinic 20", "Harbor Clinic 21"]).exists()

    # The official leaves and comes back: the Overview leads to the selection page, which lists it.
    page.goto("/registration/2025/")
    page.get_by_role("link", name="Register many at once").click()
    page.get_by_role("link", name=re.compile(r"^40 organizations,")).click()
    expect(page.locator("#result-heading")).to_have_text(
        "38 of 40 organizations registered for performance year 2025"
    )


@pytest.mark.parametrize("width", [1280, 390])
def test_register_forty_of_sixty_in_one_go(signed_in_page, official_of_60, monkeypatch, width):
    user, _year, _organizations = official_of_60
    page = signed_in_page(user)
    page.set_viewport_size({"width": width, "height": 900})

    register_forty(page, width, Worker(monkeypatch))


@pytest.mark.parametrize("width", [1280, 390])
def test_register_forty_of_sixty_in_one_go_without_javascript(
    page, official_of_60, monkeypatch, width, signed_in_without_javascript
):
    user, _year, _organizations = official_of_60
    context = signed_in_without_javascript(user, viewport={"width": width, "height": 900})
    try:
        register_forty(context.new_page(), width, Worker(monkeypatch), scanner=page)
    finally:
        context.close()


# --- A CAHPS-only year [2023]: from the CAHPS list's tab, status and search ------------------------------


@pytest.fixture
def cahps_official(db):
    """An official of eight practices in a CAHPS-only year: two Complete already, one a subgroup
    (the QPP Service Center registers it [2023 §I]), five not started."""
    year = PerformanceYearFactory(year=2026, **LIKE_2023, **open_window_around(timezone.now()))
    user = UserFactory(username="cahps-many-so", first_name="Dana", last_name="Sullivan")
    practices = [
        OrganizationFactory(name=f"Bay Practice {n}", identifier=f"{800000000 + n}") for n in range(7)
    ]
    subgroup = SubgroupFactory(name="Bay Practice Subgroup", parent=practices[0])
    for organization in [*practices, subgroup]:
        RoleFactory(user=user, organization=organization)
    for organization in practices[:2]:
        registered(organization, year, size=Size.MEDIUM, web_interface=False, **PAT)
    return user, year


def register_cahps_group(page, width, *, scanner=None):
    prefix = f"register-many-cahps-{'nojs' if scanner else 'js'}-{width}"
    page.goto("/cahps/2026/?tab=practices")
    page.get_by_label("Registration status").select_option("Not started")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#register-many")).to_contain_text("(from the organizations matching this search)")
    check_screen(page, f"{prefix}-00-list", scanner)
    page.get_by_role("link", name="Register many at once").click()

    # The selection: the list's narrowing, the CAHPS for MIPS Survey only, the CAHPS page's words.
    expect(page.get_by_role("heading", level=1)).to_have_text("Register Many at Once")
    narrowed = "Your organizations matching type Practices, status not started: 6."
    expect(page.get_by_text(narrowed)).to_be_visible()
    expect(page.get_by_text("Program: CAHPS for MIPS Survey.")).to_be_visible()
    check_screen(page, f"{prefix}-01-select", scanner)
    page.locator("label", has_text="All 6 organizations matching this filter").click()
    page.get_by_label("Organization size for all").select_option("2–24 clinicians")
    page.locator("label", has_text="Pat Lee, pat.lee@example.com").click()
    # No confirmation e-mail unless asked for [2023 §IV.3, §VI]: asked for here, once for all.
    page.locator("label", has_text="Email a confirmation to each registered organization’s contacts").click()
    page.get_by_role("button", name="Continue").click()

    # The review: five will be Complete, the subgroup is left to the Service Center.
    expect(page.get_by_role("heading", level=1)).to_have_text("Review before registering")
    expect(page.locator("#review-counts")).to_contain_text("5 will be registered")
    expect(
        page.get_by_text("Each organization registered emails its contacts a confirmation.")
    ).to_be_visible()
    expect(page.locator("tr", has_text="Bay Practice 2")).to_contain_text(
        "Will be registered: CAHPS for MIPS Survey, status Complete"
    )
    expect(page.locator("tr", has_text="Bay Practice Subgroup")).to_contain_text(
        "Cannot be registered. Subgroups do not register here."
    )
    check_screen(page, f"{prefix}-02-review", scanner)
    page.get_by_role("button", name="Register", exact=True).click()

    # Six organizations are registered in the request: straight to the result.
    expect(page.locator("#result-heading")).to_have_text(
        "5 of 6 organizations registered for performance year 2026"
    )
    expect(page.locator("tr", has_text="Bay Practice 3")).to_contain_text("Registered (Complete)")
    expect(page.locator("#result-counts")).to_contain_text("Each one’s contacts are emailed a confirmation.")
    check_screen(page, f"{prefix}-03-result", scanner)
    registrations = Registration.objects.filter(performance_year__year=2026)
    assert registrations.filter(cahps_status=ProgramStatus.REGISTERED, size=Size.SMALL).count() == 5
    assert not registrations.filter(organization__name="Bay Practice Subgroup").exists()
    # One confirmation for each organization registered, to its contact, as its page would send.
    confirmations = OutgoingEmail.objects.filter(kind="registration_confirmation")
    assert sorted(confirmations.values_list("to", flat=True)) == ["pat.lee@example.com"] * 5

    # Back to the CAHPS list, where they are Complete.
    page.get_by_role("link", name="Back to List").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register and Edit CAHPS Registration")
    expect(page.locator("tr", has_text="Bay Practice 4")).to_contain_text("Complete")


@pytest.mark.parametrize("width", [1280, 390])
def test_register_a_cahps_only_year_s_practices_in_one_go(signed_in_page, cahps_official, width):
    user, _year = cahps_official
    page = signed_in_page(user)
    page.set_viewport_size({"width": width, "height": 900})

    register_cahps_group(page, width)


@pytest.mark.parametrize("width", [1280, 390])
def test_register_a_cahps_only_year_s_practices_in_one_go_without_javascript(
    page, cahps_official, width, signed_in_without_javascript
):
    user, _year = cahps_official
    context = signed_in_without_javascript(user, viewport={"width": width, "height": 900})
    try:
        register_cahps_group(context.new_page(), width, scanner=page)
    finally:
        context.close()
