"""The lists of organizations run a fixed number of queries: one fewer when the list fits on
one page (the rows read are then the whole list, so nothing is counted), the same however long
the list is otherwise. The exact numbers are pinned so that a change to them is deliberate."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import Organization, Role
from qpp_registration.core.pagination import FirstPagePaginator
from registrations.models import Size
from tests.factories import OrganizationFactory, registered

pytestmark = pytest.mark.django_db

PAGES = {
    "Registration Overview": lambda: reverse("registration_list", kwargs={"year": 2021}),
    "Connected Organizations": lambda: reverse("connected_organizations") + "?year=2021",
    "Manage Access": lambda: reverse("manage_access"),
    "Register and Edit CAHPS Registration": lambda: reverse("cahps_registration_list", kwargs={"year": 2023}),
}
# Queries of each page for a Security Official whose list fits on one page, and how many more
# when it is longer: the COUNT(*) for the page links, and on the two registration lists in an
# open window the count of organizations to offer to register as last year (on one page, the
# page's offers are that count).
ONE_PAGE = {
    # The years (once, for the year, the switcher and the year before), and the page's
    # organizations, each with its registration, whether to offer to register it as last year
    # and its status (overview.narrowed_page): the page's rows are every organization of the
    # user, so they are what the banner and "N days left" count (deadlines.whole_list_counts,
    # issue 27 #8).
    "Registration Overview": 4,
    # The years (once, for the year, the open ones each with a section when several are open
    # (issue 12 #5) and the switcher), the page's roles with their organizations, their
    # registrations.
    "Connected Organizations": 5,
    # The page's roles (with the list's length, and whether invitations wait, the user has
    # requests and requests to decide: each of those lists is read only then, one query each,
    # tests/organizations/test_page_reads.py) and the other people's roles with how many
    # Security Officials each organization has (the card's "only Security Official"), and the
    # one warning and one invitation form for all the user's organizations (how many they are
    # the only Security Official of, the first few by name, and how many they are one of: issue
    # 27 #5).
    "Manage Access": 5,
    # The years, the organizations counted by kind (the tabs) with the last-year offers, the
    # page's organizations with their registrations and offers.
    "Register and Edit CAHPS Registration": 5,
}
MORE_WHEN_LONGER = {
    # The user's organizations counted, with the offers and those still to register
    # (deadlines.list_counts), as the searched or filtered Overview does.
    "Registration Overview": 1,
    "Connected Organizations": 1,
    # None: the page's roles carry the length of the whole list (page_reads.RolesShown).
    "Manage Access": 0,
    # None: the tab's count is the length of its unfiltered list.
    "Register and Edit CAHPS Registration": 0,
}

# The Overview searched, filtered or sorted [issue 27 item 1]: the years, the user's organizations
# counted by kind with the last-year offers and, while the window is open, those still to register
# (the "of 60", the banner and the deadline box: deadlines.list_counts, one query), and the
# page's organizations with their registrations, their offers and the length of the narrowed
# list in one query (overview.narrowed_page). One more than the whole list on one page, and no
# more however long the list or whichever page.
NARROWED_ONE_PAGE = ONE_PAGE["Registration Overview"] + 1
NARROWED_OVERVIEW = {
    "Registration Overview filtered by status": "?status=not_registered",
    "Registration Overview filtered by kind": "?kind=practice",
    "Registration Overview searched by name": "?q=medic",
    "Registration Overview searched by TIN": "?q=6789",
    "Registration Overview sorted by status": "?sort=status",
    "Registration Overview filtered, searched and sorted": (
        "?status=not_registered&kind=practice&q=medic&sort=kind"
    ),
}
for _label, _query in NARROWED_OVERVIEW.items():
    PAGES[_label] = lambda query=_query: PAGES["Registration Overview"]() + query
    ONE_PAGE[_label] = NARROWED_ONE_PAGE
    MORE_WHEN_LONGER[_label] = 0


def _official_of(user, count):
    organizations = OrganizationFactory.create_batch(count)
    Role.objects.bulk_create(
        Role(user=user, organization=organization, kind=Role.Kind.SECURITY_OFFICIAL)
        for organization in organizations
    )


# The session is in the database, the cache too by default and in Redis with REDIS_URL (the
# suite runs both ways): their queries, and the savepoints around them, are the request's, not
# the page's, and are not counted.
NOT_COUNTED = ("django_session", "qpp_cache", "SAVEPOINT")


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return sum(1 for query in queries.captured_queries if not any(t in query["sql"] for t in NOT_COUNTED))


@pytest.mark.parametrize("page", PAGES)
def test_each_list_runs_its_fixed_number_of_queries(
    page, sign_in, security_official, practice, year_2020, window_open_2021, year_2023
):
    # Registered in the year before: the Overview offers *Register as last year* (the CAHPS
    # list's 2023 window is not open at this clock).
    registered(practice, year_2020, size=Size.MEDIUM)
    client = sign_in(security_official)
    url = PAGES[page]()

    one_page = _queries(client, url)
    _official_of(security_official, 40)
    longer = _queries(client, url)
    _official_of(security_official, 200)
    much_longer = _queries(client, url)

    assert one_page == ONE_PAGE[page]
    assert longer == much_longer == one_page + MORE_WHEN_LONGER[page]


def test_a_later_page_of_the_narrowed_overview_runs_the_queries_of_the_first(
    sign_in, security_official, practice, year_2020, window_open_2021
):
    registered(practice, year_2020, size=Size.MEDIUM)
    _official_of(security_official, 80)
    client = sign_in(security_official)
    url = PAGES["Registration Overview"]() + "?status=not_registered&sort=status"

    first = _queries(client, url)
    later = [_queries(client, f"{url}&page={number}") for number in (2, 4)]
    past_the_end = _queries(client, f"{url}&page=9")

    assert first == NARROWED_ONE_PAGE
    assert later == [first, first]
    # A page that no longer exists (the list shrank since its link was drawn) is the last one:
    # counted with the first page, then read.
    assert past_the_end == first + 2


def test_the_first_page_paginator_pages_like_djangos(security_official):
    _official_of(security_official, 59)
    organizations = Organization.objects.order_by("name", "pk")

    for number in (1, 2, 3):
        ours = FirstPagePaginator(organizations, 25).get_page(number)
        django = Paginator(organizations, 25).get_page(number)
        assert list(ours) == list(django)
        assert (ours.paginator.count, ours.paginator.num_pages) == (60, 3)
        assert (ours.start_index(), ours.end_index()) == (django.start_index(), django.end_index())


def test_a_list_counted_with_its_rows_pages_like_djangos_and_reads_page_one_in_one_query(security_official):
    _official_of(security_official, 59)
    organizations = Organization.objects.order_by("name", "pk")

    for number in (1, 2, 3):
        ours = FirstPagePaginator(organizations, 25, counted_with_rows=True).get_page(number)
        django = Paginator(organizations, 25).get_page(number)
        assert [o.pk for o in ours] == [o.pk for o in django]
        assert (ours.paginator.count, ours.paginator.num_pages) == (60, 3)
    with CaptureQueriesContext(connection) as queries:
        page = FirstPagePaginator(organizations, 25, counted_with_rows=True).get_page(1)
        rows, count = list(page), page.paginator.count

    assert (len(rows), count) == (25, 60)
    assert len(queries.captured_queries) == 1


def test_a_short_list_is_read_in_one_query(security_official):
    organizations = Organization.objects.order_by("name", "pk")
    empty = Organization.objects.none()

    with CaptureQueriesContext(connection) as queries:
        page = FirstPagePaginator(organizations, 25).get_page(1)
        rows, count, pages = list(page), page.paginator.count, page.paginator.num_pages

    assert (rows, count, pages) == ([security_official.roles.get().organization], 1, 1)
    assert len(queries.captured_queries) == 1
    assert list(FirstPagePaginator(empty, 25).get_page(1)) == []
    assert FirstPagePaginator(organizations, 25).get_page(7).number == 1  # out of range: the last page
