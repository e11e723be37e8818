"""Versions of the page fragments kept in the "fragments" cache (``FRAGMENT_CACHE``).

A list page caches each organization's card or row, drawn once per process and reused for
every request that would draw the same HTML: the template keys ``{% cache ... using="fragments" %}``
on the version of what the fragment shows, so a change to any of it draws it again. The
CSRF token and anything else that differs per request stay outside the cached parts.

``drawn_once`` does the same for a whole list in one cache read (the CAHPS list's rows): the
view passes each row's HTML to the page, and a row's form carries ``CSRF_PLACEHOLDER``, which
``with_csrf_token`` fills with the page's token.
"""

import hashlib

from django.core.cache import caches
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

# "<" never survives autoescaping, so no text drawn from data holds it (page_cache uses it too).
CSRF_PLACEHOLDER = "<csrf-token>"


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


def drawn_once(template_name, items, *, key, context):
    """The HTML of ``template_name`` for each of ``items`` (as ``item``, with ``context``),
    from the "fragments" cache: one read for the whole list, and only the items missing there
    drawn and kept. ``key(item)``: a tuple of everything the item's HTML is drawn from."""
    fragments = caches["fragments"]
    keys = [":".join(map(str, (template_name, *key(item)))) for item in items]
    kept = fragments.get_many(keys)
    drawn = {
        name: render_to_string(template_name, {**context, "item": item})
        for name, item in zip(keys, items, strict=True)
        if name not in kept
    }
    if drawn:
        fragments.set_many(drawn)  # for the cache's TIMEOUT (FRAGMENT_CACHE)
    return [mark_safe(kept.get(name) or drawn[name]) for name in keys]  # noqa: S308 - drawn by templates


def with_csrf_token(request, fragments):
    """``fragments`` with the request's CSRF token in place of ``CSRF_PLACEHOLDER``, and that
    token, for the page to use everywhere else too (``csrf_token`` in its context): one token
    per page, masked once, as Django draws it."""
    token = get_token(request)
    return [mark_safe(html.replace(CSRF_PLACEHOLDER, token)) for html in fragments], token  # noqa: S308
