"""Headers for static files.

WhiteNoise answers /static/ requests before Django's middleware runs, so the
Content Security Policy middleware never sees them. The same policy is added
here, so that every response carries it (an SVG opened directly, for one, could
otherwise run script).
"""

from django.conf import settings
from django.utils.csp import CSP, build_policy


def add_security_headers(headers, path, url):
    headers[str(CSP.HEADER_ENFORCE)] = build_policy(settings.SECURE_CSP)
