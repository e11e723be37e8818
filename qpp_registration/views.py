import logging
import sys

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection, transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.crypto import get_random_string
from django.utils.csp import CSP, build_policy
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET
from psycopg2 import InterfaceError as DriverInterfaceError
from psycopg2 import OperationalError as DriverOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from organizations.home import access_on_home
from qpp_registration.core.background import queue
from qpp_registration.core.http.params import BadParameter
from qpp_registration.core.transactions import read_only_page
from registrations import deadlines
from registrations.rules import window_decision
from registrations.selectors import performance_years

logger = logging.getLogger("qpp.health")


@login_not_required
@read_only_page
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
    years = performance_years()
    periods = []
    for year in _open_or_coming_years(now, years):
        decision = window_decision(year, now)
        # Every year read closes after now: it is open now exactly when it may be changed.
        periods.append({"year": year, "is_open": decision.allowed, "text": decision.reason})
    # "N days left" for each open window (issue 27 #8); a Security Official's organizations
    # still to register are counted in one query.
    shown = request.user.is_authenticated and request.two_factor_verified
    deadline_list = (
        deadlines.deadlines(request.user, years, now, count=access["is_security_official"]) if shown else []
    )
    return render(request, "home.html", {"periods": periods, "deadlines": deadline_list, **access})


def _open_or_coming_years(now, years):
    """The years whose registration window is open or still to come, soonest first: of the
    performance years every page reads (``years``, a handful of rows, one prepared query)."""
    return sorted((year for year in years if year.window_closes > now), key=lambda year: year.window_opens)


# Crawlers may read the pages anyone may open (the front page, Check eligibility, Sign In and
# Sign Up); everything else needs a sign-in. Each line comes before any shorter one it overrides:
# some parsers take the first line that matches, the standard (RFC 9309) the longest.
ROBOTS_TXT = """\
User-agent: *
Disallow: /accounts/login/code/
Allow: /accounts/login/
Allow: /accounts/signup/
Disallow: /accounts/
Disallow: /organizations/
Disallow: /registration/
Disallow: /cahps/
Disallow: /admin/
Disallow: /healthz
"""


@login_not_required
@require_GET
def robots_txt(request):
    response = HttpResponse(ROBOTS_TXT, content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=24 * 60 * 60)
    return response


# The portal's icon (USWDS's): the file base.html and admin/base_site.html link.
FAVICON = "uswds/img/favicons/favicon.ico"


@login_not_required
@require_GET
def favicon(request):
    """/favicon.ico, where browsers look for an icon a page does not link: the static file."""
    return redirect(static(FAVICON))


@login_not_required
@requires_csrf_token
def bad_request(request, exception):
    """400: says which query-string value was wrong when ``qpp_registration.core.http.params`` refused it."""
    message = str(exception) if isinstance(exception, BadParameter) else ""
    return render(request, "400.html", {"message": message}, status=400)


@login_not_required
@never_cache
@require_GET
@transaction.non_atomic_requests  # ATOMIC_REQUESTS would connect before the checks could run
def healthz(request):
    """For load balancers: which of the database, the cache and the task queue answer
    ("ok" or "down"), and nothing else (no versions, hosts or errors).

    503 only when the database is down: this node can serve nothing. Redis (the cache, the
    Redis task queue) down answers 200 "degraded": every node shares it, pages keep serving on
    the database meanwhile and e-mails wait in the outbox, so taking nodes out of the load
    balancer would only stop the portal (docs/decisions/0011-failure-modes.md).
    """
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
            checks[name] = "down"
        else:
            checks[name] = "ok"
    if checks["database"] != "ok":
        response = JsonResponse({"status": "unavailable", **checks}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", **checks})


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache():
    # Redis itself, not the database the portal's Redis cache falls back on
    # (qpp_registration.core.redis_cache).
    check_reachable = getattr(cache, "check_reachable", None)
    if check_reachable is not None:
        check_reachable()
        return
    key = f"healthz:{get_random_string(12)}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)


# --- When the database (or Redis) cannot be reached -------------------------------------------------

RETRY_AFTER_SECONDS = 60
UNAVAILABLE_MESSAGE = (
    "The portal is briefly unavailable; nothing you submitted was lost or half-saved; try again in a minute."
)
# Never sent back in a page, even to the person who typed them.
_NOT_RESENT = ("password",)
_DATABASE_UNREACHABLE = (OperationalError, InterfaceError, DriverOperationalError, DriverInterfaceError)
_REDIS_UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


def _unreachable_dependency(error):
    """Which dependency ``error``, or an error it was raised from, says cannot be reached:
    ``"database"``, ``"redis"``, or None for any other error. Django wraps the driver's errors
    in its own ``OperationalError`` / ``InterfaceError``; the chain is walked for an error
    raised while handling one of those."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, _DATABASE_UNREACHABLE):
            return "database"
        if isinstance(error, _REDIS_UNREACHABLE):
            return "redis"
        error = error.__cause__ or error.__context__
    return None


def server_error(request):
    """500, or the 503 *briefly unavailable* answer when what failed is the database or Redis.

    Django calls this for an exception raised anywhere, in the view or in a middleware (the
    session and the user are read from the database before any view runs), so the exception
    being handled is the one to look at. The request's transaction was rolled back: nothing
    of it was saved.
    """
    dependency = _unreachable_dependency(sys.exc_info()[1])
    if dependency is None:
        return defaults.server_error(request)
    return unavailable(request, dependency=dependency)


def unavailable(request, *, dependency="database"):
    """503 with ``Retry-After``, drawn without the database: no user, no session, no messages.

    The auto-save script and other JSON clients get JSON (``static/js/autosave.js`` says "not
    saved yet, trying again" and retries). A page gets *The portal is briefly unavailable*; after
    a form was sent, the page keeps what was typed (passwords excepted) in a form that sends it
    again to the same address with *Try Again*.
    """
    if _wants_json(request):
        response = JsonResponse(
            {"status": "unavailable", dependency: "down", "message": UNAVAILABLE_MESSAGE}, status=503
        )
    else:
        context = {"again_url": request.get_full_path(), "fields": [], "passwords_dropped": False}
        if request.method == "POST":
            context.update(_typed_fields(request))
        html = get_template("503.html", using="jinja2").render(context)
        response = HttpResponse(html, status=503)
        # The CSP and frame middleware may not have seen this response: the exception can come
        # from a middleware above them.
        response.headers.setdefault(str(CSP.HEADER_ENFORCE), build_policy(settings.SECURE_CSP))
        response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # What was typed may be on the page: never kept by the browser or a proxy.
    add_never_cache_headers(response)
    return response


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "") or request.path == reverse("healthz")


def _typed_fields(request):
    try:
        data = request.POST
    except Exception:
        return {}  # a body that cannot be read is simply not offered back
    fields, dropped = [], False
    for name, values in data.lists():
        if any(word in name.lower() for word in _NOT_RESENT):
            dropped = True
            continue
        fields.extend((name, value) for value in values)
    return {"fields": fields, "passwords_dropped": dropped}
