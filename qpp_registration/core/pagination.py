"""Pagination of the portal's lists of organizations."""

from django.core.paginator import Paginator
from django.db.models import Count, Window
from django.utils.functional import cached_property

# Organizations on one page of every list of them (Connected Organizations, the registration
# lists, Manage Access).
ORGANIZATIONS_PER_PAGE = 25


class FirstPagePaginator(Paginator):
    """Django's paginator, without its ``COUNT(*)`` for a list that fits on one page.

    Most Security Officials hold a few organizations, so their lists have one page. This
    paginator reads the first page with one row more than a page holds: when that row is not
    there, the rows read are the whole list, their number is the count and they are page 1,
    so the list costs one query instead of two [issue 10]. A longer list is counted as
    usual, and its first page is still the rows already read.

    ``counted_with_rows=True`` (a queryset of models whose filter reads every row anyway, such
    as a search by name) counts a longer list in that same query: each row carries the length
    of the whole list, ``COUNT(*) OVER ()``, so the rows are searched once rather than twice.
    """

    def __init__(self, object_list, per_page, *, counted_with_rows=False, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.counted_with_rows = counted_with_rows

    @cached_property
    def _first_rows(self):
        rows = self.object_list
        if self.counted_with_rows:
            rows = rows.annotate(paginated_list_total=Window(Count("*")))
        return list(rows[: self.per_page + 1])

    @cached_property
    def count(self):
        if len(self._first_rows) <= self.per_page:
            return len(self._first_rows)
        if self.counted_with_rows:
            return self._first_rows[0].paginated_list_total
        return Paginator.count.func(self)

    def page(self, number):
        number = self.validate_number(number)
        if number != 1:
            return super().page(number)
        return self._get_page(self._first_rows[: self.per_page], number, self)
