"""The portal's URLs plus a bare login-required page, the yardstick of ``bench/load.py``.

``/bench/bare/`` goes through every middleware the portal's pages go through (sessions,
sign-in, two-factor, CSP, history) and returns two bytes: what is left of a page's cost
once the portal's own work is taken away.
"""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("", include("qpp_registration.urls")),
]
