"""The registration list's paginator: no full COUNT of a huge unfiltered table on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registrations.admin.paginator import EstimatedCountPaginator
from registrations.models import Registration
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_registrations(year_2021):
    registrations = [RegistrationFactory(performance_year=year_2021) for _ in range(3)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE registrations_registration")
    return registrations


def count_queries(paginator):
    with CaptureQueriesContext(connection) as queries:
        count = paginator.count
    return count, [query["sql"] for query in queries]


def test_unfiltered_list_above_the_threshold_is_counted_from_statistics_on_postgresql(
    three_registrations, monkeypatch
):
    monkeypatch.setattr(EstimatedCountPaginator, "estimate_above", 2)

    count, sql = count_queries(EstimatedCountPaginator(Registration.objects.order_by("pk"), 50))

    assert count == 3
    if connection.vendor == "postgresql":
        assert not any("COUNT(" in statement.upper() for statement in sql)
        assert any("pg_class" in statement for statement in sql)
    else:  # other databases have no such statistics: counted exactly
        assert any("COUNT(" in statement.upper() for statement in sql)


def test_filtered_list_is_always_counted_exactly(three_registrations, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "estimate_above", 0)
    filtered = Registration.objects.filter(pk=three_registrations[0].pk)

    count, sql = count_queries(EstimatedCountPaginator(filtered, 50))

    assert count == 1
    assert any("COUNT(" in statement.upper() for statement in sql)


def test_small_table_is_counted_exactly(three_registrations):
    count, sql = count_queries(EstimatedCountPaginator(Registration.objects.order_by("pk"), 50))

    assert count == 3
    assert any("COUNT(" in statement.upper() for statement in sql)
