"""Whole pages kept per user (``qpp_registration.page_cache``): a page seen again is not drawn
again, and whatever changes what it shows — any write, committed, by any code; the clock's
minute; the session; a message; a setting — shows on the next visit.

These tests commit (``transaction=True``), as the portal does: in a test's transaction nothing
is ever committed, so no page is kept there (the rest of the suite)."""

import re
from datetime import timedelta

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core import signing
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from organizations import invitations
from organizations.models import Organization, Role
from qpp_registration import page_cache
from registrations.models import Registration, Size
from tests.conftest import sign_in_with_two_factor
from tests.factories import OrganizationFactory, RegistrationFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# A page drawn reads these; one served from the cache reads none of them.
PAGE_TABLES = ("organizations_organization", "registrations_registration", "contacts_contact")
CONTACT = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "phone": "410.555.0142"}


def overview():
    return reverse("registration_list", kwargs={"year": 2021})


def show_details(organization):
    return reverse("registration_detail", kwargs={"year": 2021, "organization_id": organization.pk})


def visit(client, url):
    """The page's text, and whether it was drawn (rather than served from the cache)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    drawn = any(table in query["sql"] for query in queries.captured_queries for table in PAGE_TABLES)
    return response.content.decode(), drawn


@pytest.fixture
def client_of(security_official, practice, window_open_2021):
    """The Security Official's browser inside the 2021 window (the clock stands still)."""
    return sign_in_with_two_factor(Client(), security_official)


def test_a_page_seen_again_is_not_drawn_again_and_differs_only_by_its_token(client_of):
    first, drawn_first = visit(client_of, overview())
    second, drawn_second = visit(client_of, overview())

    assert (drawn_first, drawn_second) == (True, False)
    assert "Chesapeake Family Medicine" in second
    assert TOKEN.sub("", first) == TOKEN.sub("", second)
    assert TOKEN.search(first)[1] != TOKEN.search(second)[1]  # masked afresh for each answer


def _rename_through_the_model(practice):
    practice.name = "Renamed Practice"
    practice.save()


def _rename_with_update(practice):
    Organization.objects.filter(pk=practice.pk).update(name="Renamed Practice")


def _rename_in_a_transaction(practice):
    with transaction.atomic():
        Organization.objects.filter(pk=practice.pk).update(name="Renamed Practice")


def _rename_with_sql(practice):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE organizations_organization SET name = %s WHERE id = %s", ["Renamed Practice", practice.pk]
        )


def _give_a_role_with_bulk_create(practice):
    organization = OrganizationFactory(name="Renamed Practice")
    Role.objects.bulk_create(
        [Role(user=practice.roles.get().user, organization=organization, kind=Role.Kind.SECURITY_OFFICIAL)]
    )


@pytest.mark.parametrize(
    "write",
    [
        _rename_through_the_model,
        _rename_with_update,
        _rename_in_a_transaction,
        _rename_with_sql,
        _give_a_role_with_bulk_create,
    ],
)
def test_every_kind_of_write_shows_on_the_next_visit(client_of, practice, write):
    visit(client_of, overview())
    assert visit(client_of, overview())[1] is False

    write(practice)
    page, drawn = visit(client_of, overview())

    assert drawn
    assert "Renamed Practice" in page


def test_a_write_through_the_portal_shows_on_the_next_visit(client_of, practice, window_open_2021):
    RegistrationFactory(organization=practice, performance_year=window_open_2021, size=Size.MEDIUM)
    url = show_details(practice)
    assert "Lovelace" not in visit(client_of, url)[0]
    assert visit(client_of, url)[1] is False

    add = reverse("registration_contact_add", kwargs={"year": 2021, "organization_id": practice.pk})
    assert client_of.post(add, CONTACT).status_code == 302

    page, drawn = visit(client_of, url)
    assert drawn
    assert "Ada Lovelace was added as a contact." in page  # the message is shown once ...
    page, drawn = visit(client_of, url)
    assert "Lovelace" in page
    assert "was added as a contact" not in page  # ... and is not part of the kept page
    assert visit(client_of, url)[1] is False


def test_a_rolled_back_write_keeps_the_page(client_of, practice):
    visit(client_of, overview())

    with pytest.raises(RuntimeError), transaction.atomic():
        Organization.objects.filter(pk=practice.pk).update(name="Renamed Practice")
        raise RuntimeError

    page, drawn = visit(client_of, overview())
    assert (drawn, "Chesapeake Family Medicine" in page) == (False, True)


def test_the_token_of_a_kept_page_is_accepted(security_official, practice, window_open_2021):
    RegistrationFactory(organization=practice, performance_year=window_open_2021, size=Size.MEDIUM)
    browser = sign_in_with_two_factor(Client(enforce_csrf_checks=True), security_official)
    add = reverse("registration_contact_add", kwargs={"year": 2021, "organization_id": practice.pk})
    visit(browser, add)
    page, drawn = visit(browser, add)
    assert drawn is False

    response = browser.post(add, {**CONTACT, "csrfmiddlewaretoken": TOKEN.search(page)[1]})

    assert response.status_code == 302
    assert Registration.objects.get(organization=practice).contacts.get().full_name == "Ada Lovelace"


def test_nobody_else_is_served_the_page(client_of, practice, outsider):
    colleague = UserFactory(first_name="Casey", last_name="Colleague")
    RoleFactory(user=colleague, organization=practice, kind=Role.Kind.SECURITY_OFFICIAL)
    visit(client_of, overview())

    colleagues_page, drawn = visit(sign_in_with_two_factor(Client(), colleague), overview())
    outsiders_answer = sign_in_with_two_factor(Client(), outsider).get(show_details(practice))

    assert drawn
    assert "Casey Colleague" in colleagues_page
    assert "Sam Official" not in colleagues_page
    assert outsiders_answer.status_code == 404


def test_the_next_minute_draws_the_page_again(client_of, time_machine):
    visit(client_of, overview())

    time_machine.move_to(timezone.now() + timedelta(minutes=1), tick=False)

    assert visit(client_of, overview())[1] is True


def test_what_the_session_holds_is_part_of_the_key(client_of):
    home = reverse("home")
    visit(client_of, home)
    session = client_of.session  # an invitation link opened before signing in, as the portal keeps it
    invitations.remember_for_after_sign_in(session, signing.dumps(1, salt=invitations.TOKEN_SALT))
    session.save()

    response = client_of.get(home)

    assert response.status_code == 302
    assert response.url.startswith("/organizations/invitations/")


def test_a_message_waiting_is_shown_not_the_kept_page(client_of, rf):
    visit(client_of, overview())
    storage = CookieStorage(rf.get("/"))  # the message cookie a redirecting view would set
    storage.add(messages.INFO, "A message for the next page.")
    carrier = HttpResponse()
    storage.update(carrier)
    client_of.cookies["messages"] = carrier.cookies["messages"].value

    page, drawn = visit(client_of, overview())
    assert drawn
    assert "A message for the next page." in page
    assert "A message for the next page." not in visit(client_of, overview())[0]


def test_a_lost_version_draws_every_page_again(client_of):
    visit(client_of, overview())

    cache.delete(page_cache.VERSION_KEY)

    assert visit(client_of, overview())[1] is True


def test_a_changed_setting_draws_every_page_again(client_of, settings):
    visit(client_of, overview())

    settings.QPP_SERVICE_CENTER = {**settings.QPP_SERVICE_CENTER, "phone": "1-800-555-0199"}

    page, drawn = visit(client_of, overview())
    assert drawn
    assert "1-800-555-0199" in page


def test_a_users_counts_are_read_once_for_their_other_pages_until_a_write(
    security_official, practice, window_open_2023
):
    """What every page of a user's list shares and costs as much as the user has organizations
    (the counts of the CAHPS list's tabs) is read once for all of their pages and filters, and
    again after a committed write: another official's count is their own."""
    client = sign_in_with_two_factor(Client(), security_official)
    RoleFactory(user=security_official, organization=OrganizationFactory(kind="virtual_group"))
    tabs_count = re.compile(r'COUNT\(DISTINCT "organizations_organization"\."id"\)')

    def tab_counts_read(url):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        return page, any(tabs_count.search(query["sql"]) for query in queries.captured_queries)

    cahps = reverse("cahps_registration_list", kwargs={"year": 2023})
    page, read_first = tab_counts_read(f"{cahps}?tab=practices")
    _, read_for_a_filter = tab_counts_read(f"{cahps}?tab=practices&status=complete")
    _, read_for_another_tab = tab_counts_read(f"{cahps}?tab=virtual-groups")
    RoleFactory(user=security_official, organization=OrganizationFactory(kind="virtual_group"))
    page_after, read_after_a_write = tab_counts_read(f"{cahps}?tab=practices&status=incomplete")

    assert (read_first, read_for_a_filter, read_for_another_tab, read_after_a_write) == (
        True,
        False,
        False,
        True,
    )
    tab = 'Virtual Groups <span class="qpp-tabs__count">({})</span>'
    assert tab.format(1) in page and tab.format(2) in page_after
    colleague = UserFactory()
    RoleFactory(user=colleague, organization=practice)
    their_page = sign_in_with_two_factor(Client(), colleague).get(f"{cahps}?tab=practices").content.decode()
    assert 'Practices <span class="qpp-tabs__count">(1)</span>' in their_page
    assert "Virtual Groups" not in their_page
