"""The lists of organizations run a fixed number of queries: one fewer when the list fits on
one page (the rows read are then the whole list, so nothing is counted), the same however long
the list is otherwise. The exact numbers are pinned so that a change to them is deliberate."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import Organization, Role
from qpp_registration.pagination import FirstPagePaginator
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

PAGES = {
    "Registration Overview": lambda: reverse("registration_list", kwargs={"year": 2021}),
    "Connected Organizations": lambda: reverse("connected_organizations") + "?year=2021",
    "Manage Access": lambda: reverse("manage_access"),
    "Register and Edit CAHPS Registration": lambda: reverse("cahps_registration_list", kwargs={"year": 2023}),
}
# Queries of each page for a Security Official whose list fits on one page / is longer.
ONE_PAGE = {
    # Two more in an open window: how many organizations it can offer to register as last year,
    # and which of the page's cards offer it.
    "Registration Overview": 8,
    # One more: the open years, each of which gets a section when several are open (issue 12 #5).
    "Connected Organizations": 7,
    # Two more: how many Security Officials each organization has (the sole-official warning) and
    # the invitations waiting for acceptance.
    "Manage Access": 8,
    "Register and Edit CAHPS Registration": 7,
}


def _official_of(user, count):
    organizations = OrganizationFactory.create_batch(count)
    Role.objects.bulk_create(
        Role(user=user, organization=organization, kind=Role.Kind.SECURITY_OFFICIAL)
        for organization in organizations
    )


# The session and the cache are in the database by default and in Redis with REDIS_URL (the
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
    page, sign_in, security_official, window_open_2021, year_2023
):
    client = sign_in(security_official)
    url = PAGES[page]()

    one_page = _queries(client, url)
    _official_of(security_official, 40)
    longer = _queries(client, url)
    _official_of(security_official, 200)
    much_longer = _queries(client, url)

    assert one_page == ONE_PAGE[page]
    assert longer == much_longer == one_page + 1  # the COUNT(*) for the page links


def test_the_first_page_paginator_pages_like_djangos(security_official):
    _official_of(security_official, 59)
    organizations = Organization.objects.order_by("name", "pk")

    for number in (1, 2, 3):
        ours = FirstPagePaginator(organizations, 25).get_page(number)
        django = Paginator(organizations, 25).get_page(number)
        assert list(ours) == list(django)
        assert (ours.paginator.count, ours.paginator.num_pages) == (60, 3)
        assert (ours.start_index(), ours.end_index()) == (django.start_index(), django.end_index())


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
