"""The pages that only read are drawn outside the request's transaction
(``core.transactions.read_only_page``): no ``BEGIN`` and ``COMMIT`` of their own on PostgreSQL
and no write lock on SQLite. A page that may write still runs in one (``ATOMIC_REQUESTS``).

Inside a test's own transaction the request's transaction is a savepoint, which is what is
looked for here."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registrations.models import Size
from tests.factories import registered

pytestmark = pytest.mark.django_db

READ_ONLY = {
    "Home": lambda practice: reverse("home"),
    "Manage Access": lambda practice: reverse("manage_access"),
    "Connected Organizations": lambda practice: reverse("connected_organizations") + "?year=2021",
    "Registration Overview": lambda practice: reverse("registration_list", kwargs={"year": 2021}),
    "Registration Overview searched": (
        lambda practice: reverse("registration_list", kwargs={"year": 2021}) + "?q=medic"
    ),
    "Registration Details": (
        lambda practice: reverse("registration_detail", kwargs={"year": 2021, "organization_id": practice.pk})
    ),
    "CAHPS list": lambda practice: reverse("cahps_registration_list", kwargs={"year": 2023}),
}


def _request_savepoints(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [query["sql"] for query in queries.captured_queries if query["sql"].startswith("SAVEPOINT")]


@pytest.mark.parametrize("page", READ_ONLY)
def test_a_page_that_only_reads_opens_no_transaction(
    page, sign_in, security_official, practice, window_open_2021, year_2023
):
    registered(practice, window_open_2021, size=Size.MEDIUM)
    client = sign_in(security_official)

    assert _request_savepoints(client, READ_ONLY[page](practice)) == []


def test_a_page_that_may_write_runs_in_the_request_s_transaction(
    sign_in, security_official, practice, window_open_2021
):
    client = sign_in(security_official)
    url = reverse("registration_organization_edit", kwargs={"year": 2021, "organization_id": practice.pk})

    assert len(_request_savepoints(client, url)) == 1
