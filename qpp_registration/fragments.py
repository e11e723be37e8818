"""Versions of the page fragments kept in the "fragments" cache (``FRAGMENT_CACHE``).

A list page caches each organization's card or row, drawn once per process and reused for
every request that would draw the same HTML: the template keys ``{% cache ... using="fragments" %}``
on the version of what the fragment shows, so a change to any of it draws it again. The
CSRF token and anything else that differs per request stay outside the cached parts.
"""

import hashlib


def version(*drawn_from):
    """A digest of everything a fragment is drawn from (values with a stable ``repr``)."""
    return hashlib.sha256(repr(drawn_from).encode()).hexdigest()
