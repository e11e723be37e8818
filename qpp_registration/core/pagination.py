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


class ReadPaginator(Paginator):
    """Django's paginator over ``read(start=, stop=)``, which reads one slice of a list in one
    query (the portal's lists of organizations, ``registrations.lists.read_rows``).

    The list's length is either known (``count``: a tab's, counted with the tabs) or carried by
    each row as ``list_total`` (``COUNT(*) OVER ()`` in the same query): then the page asked for
    is read first and counts the list, so any page costs one query. A number past the end (a
    list that shrank since its link was drawn) reads the last page, as ``get_page`` does."""

    _FARTHEST = 1_000_000  # pages: an offset the database takes (a 25-digit one overflows)

    def __init__(self, read, per_page, *, count=None):
        super().__init__((), per_page)
        self.read = read
        self.counted = count is not None
        if self.counted:
            self.__dict__["count"] = count

    @cached_property
    def count(self):
        rows = self.read(stop=1)
        return rows[0].list_total if rows else 0

    def get_page(self, number):
        if self.counted:
            return super().get_page(number)
        try:
            # Past the end is the last page: a number no list reaches reads as one past its end.
            number = min(max(int(number), 1), self._FARTHEST)
        except (TypeError, ValueError):
            number = 1
        bottom = (number - 1) * self.per_page
        rows = self.read(start=bottom, stop=bottom + self.per_page)
        if rows:
            self.__dict__["count"] = rows[0].list_total
            return self._get_page(rows, number, self)
        if number == 1:
            self.__dict__["count"] = 0
            return self._get_page([], 1, self)
        # Past the end: the first page counts the list, and is the last page of a short one.
        first = self.read(stop=self.per_page)
        self.__dict__["count"] = first[0].list_total if first else 0
        if self.num_pages == 1:
            return self._get_page(first, 1, self)
        return self.page(self.num_pages)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.read(start=bottom, stop=bottom + self.per_page), number, self)
