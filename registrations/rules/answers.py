"""Answers of the rules worked out once per process.

The rules are pure functions (``registrations.rules``): an answer that depends only on a
performance year's values and a few hashable others can be kept under all of them as its key.
It cannot go stale: a year edited in the admin has other values, so another key. The number of
keys is small (a handful of years, a few kinds and states), and a store that passes ``limit``
starts again.
"""


def year_values(year):
    """Every value of ``year`` a rule may read, as a key."""
    return tuple(getattr(year, field.attname) for field in year._meta.concrete_fields)


class Answers:
    """``answers.get(key, work)``: ``work()``'s answer, worked out the first time ``key`` is asked
    for. The answer must not be changed by its users (a tuple, a frozen dataclass)."""

    def __init__(self, limit=4096):
        self._found = {}
        self._limit = limit

    def get(self, key, work):
        found = self._found.get(key)
        if found is None:
            if len(self._found) >= self._limit:
                self._found.clear()
            found = self._found[key] = work()
        return found
