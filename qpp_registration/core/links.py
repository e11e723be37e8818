"""Absolute links to the portal, for e-mails.

Every link a message carries starts with the address the portal is served at,
``settings.QPP_PORTAL_URL`` (``PORTAL_URL``; ``make run`` sets it to the host and port it
serves), whoever sends the message: a request, the worker or the scheduler. A link is never
built from a request's ``Host`` header, which the person asking chooses.
"""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings


def portal_url(path):
    """``/cahps/2026/7/`` at the portal's address, e.g. ``https://qpp.example.gov/cahps/2026/7/``."""
    if not path.startswith("/"):
        raise ValueError(f"A path on the portal starts with a slash, not {path!r}.")
    return settings.QPP_PORTAL_URL + path


def on_portal(url):
    """The same page as ``url`` (absolute or not) at the portal's address: for the links a
    package builds from the request (allauth's confirmation and password-reset links)."""
    parts = urlsplit(url)
    return portal_url(urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment)))
