"""Versions of the page fragments kept in the "fragments" cache (``FRAGMENT_CACHE``).

A list page caches each organization's card or row, drawn once per process and reused for
every request that would draw the same HTML: the template keys ``{% cache ... using="fragments" %}``
on the version of what the fragment shows, so a change to any of it draws it again. The
CSRF token and anything else that differs per request stay outside the cached parts.
"""

import hashlib


def organization_version(organization, *drawn_from):
    """A digest of everything one organization's card or row is drawn from: the organization's
    own words and ``drawn_from`` (values with a stable ``repr``: the row's, the registration's)."""
    own = (
        organization.pk,
        organization.edit_token,
        organization.name,
        organization.kind,
        organization.identifier,
        organization.apm_identifier,
    )
    return hashlib.sha256(repr((own, drawn_from)).encode()).hexdigest()
