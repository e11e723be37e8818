"""A new gunicorn worker draws its first pages as fast as its next ones: the master compiles every
portal template and builds every prepared query's SQL before it forks (``qpp_registration.core.warm``,
``when_ready`` in deploy/gunicorn.conf.py)."""

from unittest import mock

import pytest
from django.db import connections
from django.template import engines
from django.urls import reverse
from jinja2 import Environment

from qpp_registration.core.prepared import PreparedQuery
from qpp_registration.core.warm import warm


def _pages(practice):
    return [
        reverse("home"),
        reverse("registration_list", kwargs={"year": 2021}),
        reverse("registration_detail", kwargs={"year": 2021, "organization_id": practice.pk}),
        reverse("connected_organizations"),
        reverse("account_devices"),
    ]


def _forget_everything_built():
    engines["jinja2"].env.cache.clear()
    for query in PreparedQuery.every:
        query._compiled = None


def _compilations(client, urls):
    """How many templates and prepared queries drawing ``urls`` compiled."""
    counted = {"templates": 0, "queries": 0}
    compile_template, compile_query = Environment.compile, PreparedQuery._compile

    def template(self, *args, **kwargs):
        counted["templates"] += 1
        return compile_template(self, *args, **kwargs)

    def query(self):
        counted["queries"] += 1
        return compile_query(self)

    with (
        mock.patch.object(Environment, "compile", template),
        mock.patch.object(PreparedQuery, "_compile", query),
    ):
        for url in urls:
            assert client.get(url).status_code == 200, url
    return counted


@pytest.mark.django_db
def test_a_worker_forked_after_warm_compiles_nothing_on_its_first_pages(
    sign_in, security_official, practice, window_open_2021
):
    client = sign_in(security_official)
    _forget_everything_built()
    cold = _compilations(client, _pages(practice))

    _forget_everything_built()
    with mock.patch.object(connections, "close_all"):  # the test's own database stays open
        templates, queries = warm()
    warmed = _compilations(client, _pages(practice))

    assert cold["templates"] > 10 and cold["queries"] > 3  # what a new worker built on its own
    assert warmed == {"templates": 0, "queries": 0}
    assert templates > 90 and queries == len(PreparedQuery.every)


def test_warm_opens_no_database_connection_for_the_workers_to_share():
    # No database access is allowed here (pytest-django): warming builds SQL without a connection.
    _forget_everything_built()

    warm()

    assert all(connection.connection is None for connection in connections.all())
    assert all(query._compiled is not None for query in PreparedQuery.every)
