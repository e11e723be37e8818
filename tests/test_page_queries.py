"""Every page a Security Official opens runs a fixed number of queries, however many
organizations the official holds: each page is drawn from the database on every request
(docs/decisions/0010-pages-drawn-cheaply.md), so its cost must not grow with the official's
organizations. The lists (Overview, Connected Organizations, Manage Access, the CAHPS list)
are in test_list_queries.py; these are the other pages. The numbers are pinned so that a
change to them is deliberate."""

import pytest
from django.urls import reverse

from registrations.models import ProgramStatus, Size
from tests.factories import OrganizationFactory, RegistrationFactory, registered
from tests.test_list_queries import _official_of, _queries

pytestmark = pytest.mark.django_db


def _web_interface(name, practice, year=2021, **kwargs):
    return reverse(name, kwargs={"year": year, "organization_id": practice.pk, **kwargs})


# Each page's queries besides the session's (NOT_COUNTED). Two are every signed-in request's:
# the user and the account's security stamp (its session hash); the rest are the page's.
WEB_INTERFACE_PAGES = {
    # Home: the years, the user's Security Official roles (which only they hold, with how many
    # in all, and whether requests wait for them); the requests they decide one more, only when
    # there are some (tests/test_home.py); and while a window is open, the Security Official's
    # organizations still to register, counted for "N days left" (registrations.deadlines,
    # issue 27 #8).
    "Home": (lambda practice: reverse("home"), 5),
    "Connect to an Organization": (lambda practice: reverse("connect_organization"), 2),
    "Account / Devices": (lambda practice: reverse("account_devices"), 4),
    # Registration Details: the year, the organization with the user's reminder opt-out, the
    # registration (saying whether it has sampling notices) and its contacts.
    "Registration Details": (lambda practice: _web_interface("registration_detail", practice), 6),
    "Submit Registration": (
        lambda practice: _web_interface("registration_submit", practice, program="web-interface"),
        6,
    ),
    # Organization Information: the year, the organization with its registration's size.
    "Organization Information": (
        lambda practice: _web_interface("registration_organization_edit", practice),
        4,
    ),
    # Add contact: the year, the organization with whether its registration has a contact, and the
    # official's contacts for *Use an existing contact* (issue 27 #3).
    "Add contact": (lambda practice: _web_interface("registration_contact_add", practice), 5),
}
CAHPS_PAGES = {
    # The CAHPS list: the years; the organizations counted by kind with the last-year offers and,
    # while the window is open, those still to register for "N days left" (deadlines.list_counts,
    # issue 27 #8), in one query; and the page's organizations with their registrations and offers
    # (cahps.list_rows.cahps_list_rows).
    "CAHPS list filtered by status": (
        lambda practice: reverse("cahps_registration_list", kwargs={"year": 2023}) + "?status=incomplete",
        5,
    ),
    "CAHPS list searched": (
        lambda practice: reverse("cahps_registration_list", kwargs={"year": 2023}) + "?q=chesapeake",
        5,
    ),
    # The year; the organization (through the user's role) with the reminders opt-out, its
    # registration (saying whether it has sampling notices, read only then) and its contacts in
    # one query (cahps.pages.cahps_page_read), and the official's contacts for *Use an existing
    # contact* (issue 27 #3).
    "Register for CAHPS": (
        lambda practice: reverse("cahps_registration", kwargs={"year": 2023, "organization_id": practice.pk}),
        5,
    ),
}


def _more_organizations(user, year, count):
    """``count`` more organizations of ``user``, each with a registration for ``year``."""
    _official_of(user, count)
    for role in user.roles.select_related("organization").order_by("-pk")[:count]:
        RegistrationFactory(organization=role.organization, performance_year=year)


@pytest.mark.parametrize("name", WEB_INTERFACE_PAGES)
def test_each_web_interface_year_page_runs_the_same_queries_for_1_or_41_organizations(
    name, sign_in, security_official, practice, window_open_2021
):
    registered(practice, window_open_2021, size=Size.MEDIUM, web_interface=False, cahps=False)
    client = sign_in(security_official)
    url, expected = WEB_INTERFACE_PAGES[name]
    one = _queries(client, url(practice))
    _more_organizations(security_official, window_open_2021, 40)

    assert _queries(client, url(practice)) == one
    assert one == expected, f"{name}: {one} queries"


@pytest.mark.parametrize("name", CAHPS_PAGES)
def test_each_cahps_page_runs_the_same_queries_for_1_or_41_organizations(
    name, sign_in, security_official, practice, window_open_2023
):
    registered(practice, window_open_2023, size=Size.SMALL, web_interface=False)
    practice.registrations.update(cahps_status=ProgramStatus.INCOMPLETE)
    client = sign_in(security_official)
    url, expected = CAHPS_PAGES[name]
    one = _queries(client, url(practice))
    _more_organizations(security_official, window_open_2023, 40)
    OrganizationFactory.create_batch(3)  # others' organizations: never read

    assert _queries(client, url(practice)) == one
    assert one == expected, f"{name}: {one} queries"
