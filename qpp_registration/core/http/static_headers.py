"""Headers for static files.

WhiteNoise answers /static/ requests before Django's middleware runs, so the
Content Security Policy and Permissions-Policy middleware never see them. The
same policies are added here, so that every response carries them (an SVG opened
directly, for one, could otherwise run script).
"""

from django.conf import settings
from django.utils.csp import CSP, build_policy

from qpp_registration.core.http.permissions_policy import permissions_policy


def add_security_headers(headers, path, url):
    headers[str(CSP.HEADER_ENFORCE)] = build_policy(settings.SECURE_CSP)
    headers["Permissions-Policy"] = permissions_policy()
