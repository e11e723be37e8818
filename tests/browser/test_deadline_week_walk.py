"""The deadline-week walk of issue 27's acceptance, end to end in Chromium, at 1280 and 390 px
with axe on every screen and a screenshot of each.

A Security Official of 60 organizations (20 registered with Pat Lee as their contact, 40 not)
filters the Registration Overview to the ones not registered, registers those 40 in one go with
Pat Lee (an existing contact) while the worker does it and the progress bar follows, two being
refused for a stated reason (missing organization information); downloads the spreadsheet of
their organizations (CSV and Excel) and finds the 38 newly registered; invites a backup Security
Official to all 60 with Manage Access's one form; and downloads the deadlines' .ics. The same
walk again without JavaScript (the progress page then refreshes itself).

A Staff User of three of those organizations walks the same way: the details and the summary
PDF open read-only with no action on them, the spreadsheet holds only their three, and the bulk
and invitation pages refuse them or are not offered.
"""

import csv
import io
import re
from urllib.parse import urlencode

import icalendar
import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from organizations.models import Role, SecurityOfficialInvitation
from qpp_registration.core.eastern import format_eastern
from registrations import bulk_registration
from registrations.guide_years import LIKE_2021, open_window_around
from registrations.models import BulkRegistration, Program, ProgramStatus, Registration, Size
from tests.browser.helpers import check_screen, screenshot
from tests.browser.test_cahps_2023_flow import pdf_words
from tests.browser.test_register_many import Worker, use_tasks
from tests.factories import OrganizationFactory, PerformanceYearFactory, RoleFactory, UserFactory, registered

pytestmark = pytest.mark.browser

WIDTHS = [1280, 390]
PAT = {"first_name": "Pat", "last_name": "Lee", "email": "pat.lee@example.com", "phone": "(410) 555-0100"}
BACKUP = "ines.vance@example.com"
# Refused under the rules, each for its stated reason [2020 §II Prepare: the organization information].
REFUSED = {
    "Harbor Clinic 20": "Complete the organization information: mailing address.",
    "Harbor Clinic 21": "Complete the organization information: city and ZIP code.",
}
NEWLY_REGISTERED = [f"Harbor Clinic {n:02d}" for n in range(22, 60)]
# The Staff User's organizations: two registered before the walk, one registered by it.
STAFF_OF = ["Harbor Clinic 00", "Harbor Clinic 01", "Harbor Clinic 30"]


@pytest.fixture
def deadline_week(db, settings):
    """A 2021-like year open now; a Security Official of 60 organizations (00–19 registered with
    Pat Lee as contact, 20 and 21 short of organization information) and a Staff User of three.
    More than BULK_REGISTRATION_IN_REQUEST organizations go to the task worker."""
    settings.BULK_REGISTRATION_IN_REQUEST = 20
    use_tasks(settings, "django_tasks_db.DatabaseBackend")
    year = PerformanceYearFactory(year=2025, **LIKE_2021, **open_window_around(timezone.now()))
    official = UserFactory(username="week-so", first_name="Dana", last_name="Sullivan")
    staff = UserFactory(username="week-staff", first_name="Sam", last_name="Staff")
    organizations = {
        f"Harbor Clinic {n:02d}": OrganizationFactory(
            name=f"Harbor Clinic {n:02d}", identifier=f"{700000000 + n}"
        )
        for n in range(60)
    }
    for organization in organizations.values():
        RoleFactory(user=official, organization=organization)
    for name in STAFF_OF:
        RoleFactory(user=staff, organization=organizations[name], kind=Role.Kind.STAFF_USER)
    for organization in list(organizations.values())[:20]:
        registered(organization, year, size=Size.MEDIUM, **PAT)
    no_address = organizations["Harbor Clinic 20"]
    no_address.address_line_1 = ""
    no_address.save()
    no_city = organizations["Harbor Clinic 21"]
    no_city.city = no_city.zip_code = ""
    no_city.save()
    yield year, official, staff, organizations
    use_tasks(settings, "django.tasks.backends.immediate.ImmediateBackend")


def download(page, link_name, extension):
    """The file behind the link: its path, after checking the name the browser would save."""
    with page.expect_download() as downloaded:
        page.get_by_role("link", name=link_name, exact=True).click()
    assert downloaded.value.suggested_filename.endswith(extension), downloaded.value.suggested_filename
    return downloaded.value.path()


# --- The Security Official's walk -------------------------------------------------------------------


def filter_to_not_registered(page, prefix, scanner, *, expected):
    page.goto("/registration/2025/")
    page.get_by_label("Status", exact=True).select_option("Not registered")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_label("Status", exact=True)).to_have_value("not_registered")
    expect(page.locator("#results-summary")).to_have_text(expected)
    cards = page.locator("section.usa-card h2")
    expect(cards.filter(has_text="Harbor Clinic 20")).to_have_count(1)
    expect(cards.filter(has_text="Harbor Clinic 00")).to_have_count(0)  # registered before
    check_screen(page, prefix, scanner)


def register_forty(page, prefix, worker, scanner):
    page.get_by_role("link", name="Register many at once").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register Many at Once")
    expect(page.get_by_text("Your organizations matching status not registered: 40.")).to_be_visible()
    page.locator("label", has_text="All 40 organizations matching this filter").click()
    page.get_by_label("Organization size for all").select_option("25–99")
    # One set of contacts for all: Pat Lee, already a contact of 20 of the organizations.
    page.locator("label", has_text="Pat Lee, pat.lee@example.com").click()
    check_screen(page, f"{prefix}-03-register-many-chosen", scanner)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Review before registering")
    expect(page.locator("#review-counts")).to_contain_text("38 will be registered")
    expect(page.locator("#review-counts")).to_contain_text("2 cannot be registered")
    for name, reason in REFUSED.items():
        expect(page.locator("tr", has_text=name)).to_contain_text(f"Cannot be registered. {reason}")
    assert not Registration.objects.filter(organization__name__in=NEWLY_REGISTERED).exists()
    check_screen(page, f"{prefix}-04-review", scanner)
    page.get_by_role("button", name="Register", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Registering 40 organizations")
    expect(page.locator("#bulk-progress-bar")).to_have_attribute("max", "40")
    check_screen(page, f"{prefix}-05-progress", scanner)
    worker.start(BulkRegistration.objects.get().pk)
    if scanner is None:  # the script moves the bar; without it, the page refreshes itself
        expect(page.locator("#bulk-progress-text")).to_have_text(re.compile(r"^([1-9]|[1-3]\d) of 40 done"))
        screenshot(page, f"{prefix}-06-progress-moving")
    worker.join()

    expect(page.get_by_role("heading", level=1)).to_have_text("Registered many organizations", timeout=15_000)
    expect(page.locator("#result-heading")).to_have_text(
        "38 of 40 organizations registered for performance year 2025"
    )
    for name, reason in REFUSED.items():
        expect(page.locator("tr", has_text=name)).to_contain_text(f"Not registered: {reason}")
    check_screen(page, f"{prefix}-07-result", scanner)

    registrations = Registration.objects.filter(performance_year__year=2025)
    assert registrations.filter(web_interface_status=ProgramStatus.REGISTERED).count() == 20 + 38
    assert not registrations.filter(organization__name__in=REFUSED).exists()
    for registration in registrations.filter(organization__name__in=NEWLY_REGISTERED).prefetch_related(
        "contacts"
    ):
        assert [(c.first_name, c.last_name, c.email) for c in registration.contacts.all()] == [
            ("Pat", "Lee", PAT["email"])
        ]


def check_spreadsheets(page, prefix, scanner):
    page.goto("/registration/2025/")
    check_screen(page, f"{prefix}-09-overview-downloads", scanner)

    rows = list(
        csv.DictReader(
            io.StringIO(download(page, "Download my organizations (CSV)", ".csv").read_text("utf-8-sig"))
        )
    )
    assert len(rows) == 60
    by_name = {row["Organization name"]: row for row in rows}
    assert len(by_name) == 60
    assert {row["Performance year"] for row in rows} == {"2025"}
    assert {row["Your role"] for row in rows} == {"Security Official"}
    for name in NEWLY_REGISTERED:
        row = by_name[name]
        assert row["CMS Web Interface status"] == "Registered", row
        assert row["CAHPS for MIPS Survey status"] == "Registered", row
        assert row["Organization size"] == "25–99", row
        assert row["Registration ID"], row
        assert row["Contact 1 name"] == "Pat Lee", row
    for name in REFUSED:
        assert by_name[name]["CMS Web Interface status"] == "Not registered"
        assert by_name[name]["Registration ID"] == ""
    registered_count = sum(row["CMS Web Interface status"] == "Registered" for row in rows)
    assert registered_count == 58

    workbook = openpyxl.load_workbook(
        io.BytesIO(download(page, "Download my organizations (Excel)", ".xlsx").read_bytes()), read_only=True
    )
    header, *cells = list(workbook["My organizations"].iter_rows(values_only=True))
    sheet = {row[0]: dict(zip(header, row, strict=True)) for row in cells}
    assert len(cells) == 60 and len(sheet) == 60
    assert all(sheet[name]["CMS Web Interface status"] == "Registered" for name in NEWLY_REGISTERED)
    assert {name for name, row in sheet.items() if row["CMS Web Interface status"] != "Registered"} == set(
        REFUSED
    )
    assert sheet["Harbor Clinic 30"]["Registration ID"] == by_name["Harbor Clinic 30"]["Registration ID"]


def invite_a_backup_to_all(page, prefix, scanner):
    page.goto("/organizations/")
    expect(
        page.get_by_role("heading", name="You are the only Security Official of 60 organizations")
    ).to_have_count(1)
    expect(page.get_by_role("heading", name="Invite a Security Official")).to_have_count(1)
    check_screen(page, f"{prefix}-10-manage-access", scanner)
    page.get_by_label("E-mail address of the person to invite").fill(BACKUP)
    page.locator("label[for=invite-every]").click()
    expect(page.locator("#invite-every")).to_be_checked()
    page.get_by_role("button", name="Send Invitation").click()
    expect(
        page.get_by_text(
            f"We e-mailed an invitation to {BACKUP} to become a Security Official of 60 organizations"
        )
    ).to_be_visible()
    invitations = SecurityOfficialInvitation.objects.filter(email=BACKUP, status="pending")
    assert invitations.count() == 60
    assert invitations.values("organization").distinct().count() == 60
    check_screen(page, f"{prefix}-11-invited", scanner)


def check_calendar(page, year):
    page.goto("/registration/2025/")
    calendar = icalendar.Calendar.from_ical(
        download(page, "Add the deadlines to your calendar (.ics)", ".ics").read_bytes()
    )
    assert calendar.name == "VCALENDAR"
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == "QPP Registration closes: performance year 2025"
    assert event.decoded("dtstart") == year.window_closes
    description = " ".join(str(event["description"]).split())
    assert f"opened on {format_eastern(year.window_opens)}" in description, description
    assert f"closes on {format_eastern(year.window_closes)}" in description, description
    # Counts only: what is left is the two refused.
    assert "Of your 60 organizations, still to register: 2 organizations not registered." in description
    return event


def official_walk(page, width, worker, year, *, scanner=None):
    prefix = f"deadline-week-{'nojs' if scanner else 'js'}-{width}"
    page.goto("/registration/2025/")
    expect(page.locator("#results-summary")).to_have_text("Showing 1–25 of 60 organizations.")
    check_screen(page, f"{prefix}-01-overview", scanner)
    filter_to_not_registered(
        page, f"{prefix}-02-not-registered", scanner, expected="40 of 60 organizations match. Showing 1–25."
    )
    register_forty(page, prefix, worker, scanner)
    filter_to_not_registered(
        page, f"{prefix}-08-still-not-registered", scanner, expected="2 of 60 organizations match."
    )
    check_spreadsheets(page, prefix, scanner)
    invite_a_backup_to_all(page, prefix, scanner)
    check_calendar(page, year)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_official_of_60_walks_the_deadline_week(signed_in_page, deadline_week, monkeypatch, width):
    year, official, _staff, _organizations = deadline_week
    page = signed_in_page(official)
    page.set_viewport_size({"width": width, "height": 900})

    official_walk(page, width, Worker(monkeypatch), year)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_official_of_60_walks_the_deadline_week_without_javascript(
    page, deadline_week, monkeypatch, width, signed_in_without_javascript
):
    year, official, _staff, _organizations = deadline_week
    context = signed_in_without_javascript(official, viewport={"width": width, "height": 900})
    try:
        official_walk(context.new_page(), width, Worker(monkeypatch), year, scanner=page)
    finally:
        context.close()


# --- The Staff User's walk -------------------------------------------------------------------------

ACTIONS = re.compile(r"\b(Register|Edit|Cancel|Add|Invite|Remove|Delete|Change)\b")


def post(page, path, token, **fields):
    """A form sent as the browser would, with the page's CSRF token (lists: a field repeated)."""
    body = urlencode({"csrfmiddlewaretoken": token, **fields}, doseq=True)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": page.url}
    return page.request.post(path, data=body, headers=headers)


def no_action(main):
    expect(main.locator("form, button, input, select, textarea")).to_have_count(0)
    expect(main.get_by_role("link", name=ACTIONS)).to_have_count(0)
    expect(main.get_by_role("button", name=ACTIONS)).to_have_count(0)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_staff_user_of_three_walks_it_read_only(signed_in_page, deadline_week, width):
    year, official, staff, organizations = deadline_week
    # The official's own run of many (one organization, by the service) for the staff user to try.
    bulk = bulk_registration.bulk_registration_create(
        by=official,
        year=year,
        organization_ids=[organizations["Harbor Clinic 30"].pk],
        sizes={organizations["Harbor Clinic 30"].pk: Size.MEDIUM},
        programs=[Program.WEB_INTERFACE],
        contacts=[PAT],
    )
    registered(organizations["Harbor Clinic 30"], year, size=Size.LARGE, **PAT)
    page = signed_in_page(staff)
    page.set_viewport_size({"width": width, "height": 900})
    prefix = f"deadline-week-staff-{width}"

    # The Overview and Register many are the Security Official's: refused, saying where to look.
    response = page.goto("/registration/2025/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Security Official role required")
    check_screen(page, f"{prefix}-01-overview-refused")
    assert page.goto("/registration/2025/register-many/?status=not_registered").status == 403
    assert page.goto(f"/registration/2025/register-many/{bulk.pk}/").status == 404
    assert page.request.get(f"/registration/2025/register-many/{bulk.pk}/progress.json").status == 404

    # Their organizations, with each one's registration to read.
    page.goto("/organizations/connected/?year=2025")
    main = page.get_by_role("main")
    for name in STAFF_OF:
        expect(main.get_by_role("link", name=f"View Registration of {name} for 2025")).to_be_visible()
    expect(main).not_to_contain_text("Harbor Clinic 02")
    expect(main.get_by_role("link", name=ACTIONS)).to_have_count(0)
    # The navigation offers only what a Staff User can open: no Registration (the Overview).
    nav = page.locator(".qpp-sidenav") if width == 1280 else page.locator("nav.qpp-menu")
    expect(nav.get_by_role("link", name="Connected Organizations", include_hidden=True)).to_have_count(1)
    expect(nav.get_by_role("link", name="Registration", exact=True, include_hidden=True)).to_have_count(0)
    check_screen(page, f"{prefix}-02-connected")

    for number, name in enumerate(("Harbor Clinic 00", "Harbor Clinic 30"), start=3):
        page.goto("/organizations/connected/?year=2025")
        page.get_by_role("link", name=f"View Registration of {name} for 2025").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(name)
        main = page.get_by_role("main")
        expect(main).to_contain_text("You have the Staff User role")
        expect(main).to_contain_text("Pat Lee")
        no_action(main)
        check_screen(page, f"{prefix}-{number:02d}-details-{name[-2:]}")
        registration = Registration.objects.get(organization=organizations[name], performance_year=year)
        words = pdf_words(download(page, f"Download Registration Summary of {name} (PDF)", ".pdf"))
        assert registration.registration_id in words
        assert name in words

    # The spreadsheet holds their three organizations only, as Staff User.
    page.goto("/")
    rows = list(
        csv.DictReader(
            io.StringIO(download(page, "Download my organizations (CSV)", ".csv").read_text("utf-8-sig"))
        )
    )
    assert sorted(row["Organization name"] for row in rows) == STAFF_OF
    assert {row["Your role"] for row in rows} == {"Staff User"}
    assert {row["CMS Web Interface status"] for row in rows} == {"Registered"}
    calendar = icalendar.Calendar.from_ical(
        download(page, "Add the deadlines to your calendar (.ics)", ".ics").read_bytes()
    )
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == year.window_closes
    check_screen(page, f"{prefix}-05-home")

    # Manage Access offers no invitation; sending one anyway is refused.
    page.goto("/organizations/")
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Invite a Security Official")).to_have_count(0)
    expect(main.get_by_role("button", name="Send Invitation")).to_have_count(0)
    check_screen(page, f"{prefix}-06-manage-access")
    token = page.evaluate("document.querySelector('input[name=csrfmiddlewaretoken]').value")
    ids = [organizations[name].pk for name in STAFF_OF]
    sent = post(page, "/organizations/invite/", token, email=BACKUP, every="on", organization=ids)
    assert sent.status == 200 and "Nothing was sent" in sent.text()
    assert "You can invite a person only to organizations you are a Security Official of." in sent.text()
    assert not SecurityOfficialInvitation.objects.exists()
    bulk_sent = post(
        page,
        "/registration/2025/register-many/",
        token,
        scope="all_matching",
        organizations=ids,
        size="medium",
    )
    assert bulk_sent.status == 403
    assert BulkRegistration.objects.count() == 1
