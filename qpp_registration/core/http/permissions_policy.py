"""The Permissions-Policy header: browser features the portal never uses are off, for its pages
and for anything they could embed, so that a script that got into a page could not turn on the
camera or ask for the visitor's location either.

Django sets the other security headers (SecurityMiddleware, the CSP middleware) but not this
one. ``PERMISSIONS_POLICY`` (settings) maps each feature to the origins allowed to use it: an
empty list turns it off, ``"self"`` keeps it for the portal's own pages (passkeys).
"""

import functools

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver


@functools.cache
def permissions_policy():
    """The header's value, e.g. ``camera=(), publickey-credentials-get=(self)``: a function of
    the setting alone, worked out once per process rather than for every response."""
    return ", ".join(
        f"{feature}=({' '.join(origins)})" for feature, origins in settings.PERMISSIONS_POLICY.items()
    )


@receiver(setting_changed)
def _forget(setting, **kwargs):
    if setting == "PERMISSIONS_POLICY":  # a test's override; a running portal never changes it
        permissions_policy.cache_clear()


class PermissionsPolicyMiddleware:
    """Adds the header to every response that has none (static files get it from
    ``static_headers``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", permissions_policy())
        return response
