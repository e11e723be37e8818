"""A prepared query (``qpp_registration.core.prepared``) reads what its queryset reads, with each
request's values, and never mixes a named value up with one of the queryset's own constants."""

import pytest
from django.db import connection, transaction
from django.db.models import BooleanField, Exists, F, OuterRef
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext

from qpp_registration.core.prepared import PreparedQuery
from registrations.models import PerformanceYear, Registration
from tests.factories import PerformanceYearFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _portal_queries_only():
    """The queries made here, some wrong on purpose, are not the portal's: the master's warm-up
    (``qpp_registration.core.warm``) compiles ``PreparedQuery.every``."""
    made_before = list(PreparedQuery.every)
    yield
    PreparedQuery.every[:] = made_before


def test_each_call_reads_what_the_queryset_reads_with_its_own_values():
    for year in (2020, 2021, 2023):
        PerformanceYearFactory(year=year)

    def between(after, before):
        return PerformanceYear.objects.filter(year__gt=after, year__lt=before).order_by("year")

    later_than = PreparedQuery(between, "after", "before")

    assert [y.year for y in later_than.models(after=2020, before=2024)] == [2021, 2023]
    assert [y.year for y in later_than.models(after=2019, before=2021)] == [2020]
    assert later_than.models(after=2023, before=2030) == []


def _state(instance):
    """What a page can read of a model instance: its loaded fields and annotations, and which
    fields are deferred (read only when asked for, with a query of their own)."""
    loaded = {name: value for name, value in vars(instance).items() if name != "_state"}
    return type(instance), loaded, instance.get_deferred_fields(), instance._state.adding, instance._state.db


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(
            lambda year: PerformanceYear.objects.filter(year__gte=year).order_by("year"), id="whole rows"
        ),
        pytest.param(
            lambda year: PerformanceYear.objects.filter(year__gte=year).only("year").order_by("year"),
            id="some fields",
        ),
        pytest.param(
            lambda year: (
                PerformanceYear.objects.filter(year__gte=year)
                .only("year", "window_closes")
                .annotate(
                    later=F("year") + 1,
                    has_registrations=Exists(Registration.objects.filter(performance_year=OuterRef("pk"))),
                )
                .order_by("-year")
            ),
            id="annotated",
        ),
    ],
)
def test_the_models_are_the_ones_the_orm_makes(build):
    """``models()`` makes the instances itself (``Model.from_db``), as the ORM's own iterable
    does: the same fields, deferred fields and annotations, in the same order."""
    for year in (2020, 2021, 2023):
        PerformanceYearFactory(year=year)
    query = PreparedQuery(build, "year")

    made = query.models(year=2021)

    assert [_state(each) for each in made] == [_state(each) for each in build(2021)]
    assert len(made) == 2


def test_a_query_with_related_models_reads_them_too():
    """A query that selects related models is read through ``raw()``, which sets them up."""
    registration = RegistrationFactory()
    query = PreparedQuery(
        lambda pk: Registration.objects.filter(pk=pk).select_related("organization", "performance_year"), "pk"
    )

    (made,) = query.models(pk=registration.pk)

    assert made == registration
    assert made.organization.name == registration.organization.name
    assert made.performance_year.year == registration.performance_year.year


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


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statements prepared on the server are PostgreSQL's"
)


def _prepared_on_server():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


@on_postgresql
def test_postgresql_prepares_the_statement_once_per_connection_and_runs_it_with_each_call_s_values():
    for year in (2020, 2021, 2023):
        PerformanceYearFactory(year=year)
    query = PreparedQuery(
        lambda after: PerformanceYear.objects.filter(year__gt=after).order_by("year"), "after"
    )

    with CaptureQueriesContext(connection) as first:
        assert [y.year for y in query.models(after=2020)] == [2021, 2023]
    name = query._statement_name
    assert name in _prepared_on_server()
    with CaptureQueriesContext(connection) as second:
        assert [y.year for y in query.models(after=2021)] == [2023]

    # One statement per call, each an EXECUTE of the one prepared statement with its own value.
    assert [q["sql"] for q in first] == [f"EXECUTE {name} (2020)"]
    assert [q["sql"] for q in second] == [f"EXECUTE {name} (2021)"]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_the_statement_again():
    PerformanceYearFactory(year=2021)
    query = PreparedQuery(lambda year: PerformanceYear.objects.filter(year=year).values_list("year"), "year")
    assert query.rows(year=2021) == [(2021,)]

    connection.close()  # as CONN_MAX_AGE ends a connection, or a database restart does

    assert query.rows(year=2021) == [(2021,)]
    assert query._statement_name in _prepared_on_server()


@on_postgresql
def test_a_statement_postgresql_cannot_prepare_runs_unprepared_in_the_same_transaction():
    PerformanceYearFactory(year=2021)
    # "$1 IS NULL": PostgreSQL cannot tell the parameter's type without its value.
    query = PreparedQuery(
        lambda year: PerformanceYear.objects.filter(RawSQL("%s IS NULL", [None], BooleanField()), year=year),
        "year",
    )

    with transaction.atomic():
        assert [y.year for y in query.models(year=2021)] == [2021]
        assert [y.year for y in query.models(year=2021)] == [2021]
        # The request's transaction goes on.
        assert PerformanceYear.objects.filter(year=2021).exists()
    assert query._statement_name not in _prepared_on_server()
