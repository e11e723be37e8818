"""Values read from the query string, parsed in one place.

A URL parameter is whatever anyone typed or pasted. ``str.isdigit`` accepts
"²" and "١٢", which ``int`` refuses, and a 10,000-digit number is a valid
``int`` that no database column holds. Every view asks this module instead, and
a value it cannot use answers 400 with a sentence that says which parameter is
wrong, never a 500.
"""

from django.core.exceptions import BadRequest

# The largest value any identifier of the portal holds (a signed 64-bit primary key).
MAX_ID = 2**63 - 1


class BadParameter(BadRequest):
    """A query-string value the page cannot use; ``str()`` is the sentence the 400 page shows."""


def int_param(params, name, *, default=None, max_value=MAX_ID):
    """The whole number in ``params[name]`` (the last one, if the key is repeated), ``default``
    when absent or empty; BadParameter for anything but ASCII digits up to ``max_value``."""
    raw = params.get(name)
    if raw is None or raw.strip() == "":
        return default
    raw = raw.strip()
    # Longer than any allowed value: refuse before converting (no huge-int work).
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(max_value)) or int(raw) > max_value:
        raise BadParameter(f"The “{name}” in the address must be a whole number such as 1 or 2021.")
    return int(raw)


class AdminToFieldGuardMiddleware:
    """Django admin takes ``?_to_field=`` (empty) as a field named "" and answers 500
    (``FieldDoesNotExist``) on every change and delete page: refuse it with a 400 instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "_to_field" in request.GET and not request.GET.get("_to_field"):
            raise BadParameter("The “_to_field” in the address must name a field.")
        return self.get_response(request)


class NullCharacterGuardMiddleware:
    """A null character in the query string answers 400. No page has a use for one, and
    PostgreSQL refuses any string that holds one, so a value read straight into a query (an
    admin list filter, a search) would otherwise answer 500. Form fields refuse it themselves
    (Django's ProhibitNullCharactersValidator)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        # Most addresses have no query string, or none that could hold one: nothing to parse.
        if ("%00" in query or "\x00" in query) and any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            raise BadParameter("The address contains a null character, which no page accepts.")
        return self.get_response(request)
