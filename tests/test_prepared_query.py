"""A prepared query (``qpp_registration.core.prepared``) reads what its queryset reads, with each
request's values, and never mixes a named value up with one of the queryset's own constants."""

import pytest

from qpp_registration.core.prepared import PreparedQuery
from registrations.models import PerformanceYear
from tests.factories import PerformanceYearFactory

pytestmark = pytest.mark.django_db


def test_each_call_reads_what_the_queryset_reads_with_its_own_values():
    for year in (2020, 2021, 2023):
        PerformanceYearFactory(year=year)

    def between(after, before):
        return PerformanceYear.objects.filter(year__gt=after, year__lt=before).order_by("year")

    later_than = PreparedQuery(between, "after", "before")

    assert [y.year for y in later_than.models(after=2020, before=2024)] == [2021, 2023]
    assert [y.year for y in later_than.models(after=2019, before=2021)] == [2020]
    assert later_than.models(after=2023, before=2030) == []


def test_a_constant_equal_to_a_stand_in_stays_a_constant():
    PerformanceYearFactory(year=2021)
    # 32101 is the first stand-in the query is compiled with: it must stay the constant it is.
    query = PreparedQuery(
        lambda year: PerformanceYear.objects.filter(year=year).exclude(year=32101).exclude(year=32201),
        "year",
    )

    assert [y.year for y in query.models(year=2021)] == [2021]


def test_a_named_value_that_is_not_a_parameter_is_refused():
    query = PreparedQuery(lambda count: PerformanceYear.objects.all()[:count], "count")

    with pytest.raises(ValueError):
        query.models(count=3)


def test_an_id_too_large_for_any_column_matches_nothing():
    query = PreparedQuery(lambda pk: PerformanceYear.objects.filter(pk=pk), "pk")

    assert query.models(pk=10**30) == []


@pytest.mark.parametrize(
    "path",
    [
        "/registration/{huge}/",
        "/registration/2021/{huge}/",
        "/registration/2021/{huge}/organization/",
        "/registration/2021/{huge}/contacts/new/",
        "/cahps/2023/{huge}/",
        "/cahps/{huge}/",
    ],
)
def test_pages_read_by_prepared_queries_answer_404_to_ids_no_column_holds(
    path, sign_in, security_official, year_2021, year_2023
):
    response = sign_in(security_official).get(path.format(huge=10**30))

    assert response.status_code == 404
