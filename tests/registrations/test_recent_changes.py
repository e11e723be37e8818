"""Recent changes: an organization's people see who changed what and when (ET), across its
registrations, contacts and roles, from the history the portal keeps (issue 27 #7).

Shown to anyone with a role for the organization, a page at a time, newest first, in a fixed
number of queries however long the history; nothing of another organization, and nothing that
stays the help desk's: role requests and their notes, the TIN in full, CMS staff's names."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from contacts.models import Contact
from organizations.models import Role
from qpp_registration.core.history import save_with_history
from registrations.activity import CHANGES_PER_PAGE
from registrations.detail_services import contact_update
from registrations.models import Size
from tests.factories import OrganizationFactory, RoleFactory, RoleRequestFactory, UserFactory, registered
from tests.test_list_queries import _queries

pytestmark = pytest.mark.django_db
EASTERN = ZoneInfo("America/New_York")


def _changes_url(organization, year=2021, page=None):
    url = reverse("registration_changes", kwargs={"year": year, "organization_id": organization.pk})
    return f"{url}?page={page}" if page else url


@pytest.fixture
def registration(practice, window_open_2021):
    return registered(practice, window_open_2021, size=Size.MEDIUM, web_interface=True, cahps=False)


def _edit_contact(registration, by, **fields):
    contact = registration.contacts.first()
    values = {name: getattr(contact, name) for name in ("first_name", "last_name", "email", "phone")}
    return contact_update(registration=registration, contact=contact, by=by, **{**values, **fields})


def test_the_official_sees_who_changed_a_contact_what_and_when_in_et(
    sign_in, security_official, registration, time_machine
):
    old_email = registration.contacts.first().email
    time_machine.move_to(datetime(2021, 5, 5, 9, 30, tzinfo=EASTERN), tick=False)
    _edit_contact(registration, security_official, email="new.address@example.com")

    page = sign_in(security_official).get(_changes_url(registration.organization)).content.decode()

    assert "Wednesday, May 5, 2021 at 9:30 a.m. ET" in page
    assert "Sam Official (so-user)" in page
    assert f"of {registration.registration_id} (2021): changed" in page
    assert f"{old_email} → new.address@example.com" in page
    assert "Contact updated" in page  # the reason the portal recorded


def test_changes_are_newest_first_across_registrations_contacts_and_roles(
    sign_in, security_official, practice, registration, time_machine
):
    time_machine.move_to(datetime(2021, 5, 5, 9, 0, tzinfo=EASTERN), tick=False)
    _edit_contact(registration, security_official, phone="410-555-0101")
    time_machine.move_to(datetime(2021, 5, 6, 9, 0, tzinfo=EASTERN), tick=False)
    newcomer = UserFactory(username="newcomer", first_name="Nia", last_name="New")
    save_with_history(
        Role(user=newcomer, organization=practice, kind=Role.Kind.STAFF_USER), by=None, reason="x"
    )

    page = sign_in(security_official).get(_changes_url(practice)).content.decode()

    role = page.index("Staff User role of Nia New (newcomer): created")
    contact = page.index("Wednesday, May 5, 2021 at 9:00 a.m. ET")
    created = page.index(f"Registration {registration.registration_id} (2021): created")
    assert role < contact < created


def test_a_staff_user_of_the_organization_sees_them_and_nobody_else_does(
    sign_in, staff_user, outsider, practice, registration
):
    other_official = UserFactory(username="other-so")
    RoleFactory(user=other_official, organization=OrganizationFactory(), kind=Role.Kind.SECURITY_OFFICIAL)

    assert sign_in(staff_user).get(_changes_url(practice)).status_code == 200
    assert sign_in(outsider).get(_changes_url(practice)).status_code == 404
    assert sign_in(other_official).get(_changes_url(practice)).status_code == 404


def test_nothing_of_another_organization_shows(
    sign_in, security_official, practice, registration, window_open_2021
):
    theirs = OrganizationFactory(name="Someone Else's Practice")
    other = registered(theirs, window_open_2021, size=Size.MEDIUM, web_interface=True, cahps=False)
    save_with_history(
        Contact(registration=other, first_name="Secret", last_name="Person", email="secret@example.com"),
        by=None,
        reason="Contact added",
    )

    page = sign_in(security_official).get(_changes_url(practice)).content.decode()

    assert other.registration_id not in page
    assert "secret@example.com" not in page
    assert "Someone Else" not in page


def test_what_stays_the_help_desks_does_not_show(
    sign_in, security_official, practice, registration, staff_reviewer
):
    RoleRequestFactory(organization=practice, decision_note="Internal: caller sounded unsure")
    _edit_contact(registration, staff_reviewer, phone="410-555-0177")

    page = sign_in(security_official).get(_changes_url(practice)).content.decode()

    assert "Internal: caller sounded unsure" not in page
    assert "Role request" not in page
    assert "123456789" not in page  # the TIN in full: the portal shows it masked
    assert "cms-reviewer" not in page
    assert "QPP Service Center" in page


def test_a_long_history_is_paged_in_the_same_queries_as_a_short_one(sign_in, security_official, registration):
    contact = registration.contacts.first()

    def more_changes(count):
        for n in range(count):
            contact.phone = f"410-555-{n % 10000:04d}"
            save_with_history(contact, by=security_official, reason="Contact updated")

    client = sign_in(security_official)
    more_changes(CHANGES_PER_PAGE + 5)
    short = _queries(client, _changes_url(registration.organization, page=2))
    first = _queries(client, _changes_url(registration.organization))
    more_changes(10 * CHANGES_PER_PAGE)

    assert _queries(client, _changes_url(registration.organization, page=7)) == short
    assert _queries(client, _changes_url(registration.organization)) == first
    # The session's two; the year, the organization; the page of the history and its count; the
    # page's records of each kind (the organization, registrations, contacts, roles) with those
    # they are diffed against, the users they name and the organization's registrations.
    assert first == 12, first
    page = client.get(_changes_url(registration.organization, page=2)).content.decode()
    assert page.count("Contact updated") == CHANGES_PER_PAGE
    assert 'aria-label="Pages of changes"' in page


def test_each_organization_page_links_to_its_recent_changes(
    sign_in, security_official, staff_user, registration
):
    url = _changes_url(registration.organization)
    detail = reverse(
        "registration_detail", kwargs={"year": 2021, "organization_id": registration.organization_id}
    )

    for user in (security_official, staff_user):
        assert url in sign_in(user).get(detail).content.decode()
