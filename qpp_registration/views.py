import logging

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from organizations.home import access_on_home
from qpp_registration import queue
from qpp_registration.params import BadParameter
from registrations.rules import window_decision
from registrations.selectors import performance_years

logger = logging.getLogger("qpp.health")


@login_not_required
def home(request):
    """The portal's front page: what it is for, and the registration periods
    that are open or coming [2020 Registration Information; 2023 §III.5]."""
    # Start Registration, and what Home shows about access, need the second factor passed.
    access = {"is_security_official": False}
    if request.user.is_authenticated and request.two_factor_verified:
        invitation_url, access = access_on_home(request)
        if invitation_url:
            return redirect(invitation_url)
    now = timezone.now()
    periods = []
    for year in _open_or_coming_years(now):
        decision = window_decision(year, now)
        # Every year read closes after now: it is open now exactly when it may be changed.
        periods.append({"year": year, "is_open": decision.allowed, "text": decision.reason})
    return render(request, "home.html", {"periods": periods, **access})


def _open_or_coming_years(now):
    """The years whose registration window is open or still to come, soonest first: of the
    performance years every page reads (a handful of rows, one prepared query)."""
    years = (year for year in performance_years() if year.window_closes > now)
    return sorted(years, key=lambda year: year.window_opens)


@login_not_required
@requires_csrf_token
def bad_request(request, exception):
    """400: says which query-string value was wrong when ``qpp_registration.params`` refused it."""
    message = str(exception) if isinstance(exception, BadParameter) else ""
    return render(request, "400.html", {"message": message}, status=400)


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """For load balancers: 200 when the database, the cache and the task queue answer,
    503 naming the one that does not. Says nothing else (no versions, hosts or errors)."""
    checks = {}
    for name, check in (
        ("database", _check_database),
        ("cache", _check_cache),
        ("queue", queue.check_reachable),
    ):
        try:
            check()
        except Exception:
            logger.exception("Health check failed: %s", name)
            checks[name] = "unavailable"
        else:
            checks[name] = "ok"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache():
    key = f"healthz:{get_random_string(12)}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)
