"""The portal's URLs plus a bare login-required page, the yardstick of ``bench/load.py``.

``/bench/bare/`` goes through every middleware the portal's pages go through (sessions,
sign-in, two-factor, CSP, history), asks for a signed-in user as the portal's views do, and
renders a one-line template (``bench/templates/bench/bare.html``, no variables, valid in
whichever template engine comes first in ``TEMPLATES``) with ``django.shortcuts.render``:
what is left of a page's cost once the portal's own work is taken away.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import include, path


@login_required
def bare(request):
    return render(request, "bench/bare.html")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("", include("qpp_registration.urls")),
]
