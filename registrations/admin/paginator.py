"""A changelist paginator that does not COUNT a huge table just to draw page links."""

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    """Uses PostgreSQL's planner estimate for the unfiltered list of a large table.

    ``COUNT(*)`` reads every row; on an unfiltered changelist of millions of
    registrations that is the slowest query of the page, and the exact number
    is not what an agent came for. When nothing filters the list and the
    table's statistics say it holds more than ``estimate_above`` rows, the
    estimate (``pg_class.reltuples``, kept current by autovacuum/ANALYZE) is
    used instead. Filtered or searched lists, small tables and other databases
    are counted exactly.
    """

    estimate_above = 500_000

    @cached_property
    def count(self):
        estimate = self._estimated_count()
        if estimate is not None and estimate > self.estimate_above:
            return estimate
        return super().count

    def _estimated_count(self):
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is None or query.where or query.distinct or query.combinator:
            return None
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
                [queryset.model._meta.db_table],
            )
            row = cursor.fetchone()
        # reltuples is -1 (or 0) until the table was first analysed.
        if row is None or row[0] is None or row[0] <= 0:
            return None
        return int(row[0])
