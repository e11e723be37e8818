"""Metrics in Prometheus's text format at ``/metrics``, for the operators (docs/operations.md).

- request latency, by view name, method and status class (never by path: one series per page,
  not per organization);
- the task queue and the e-mail outbox, read from the database (or Redis) at each scrape, so any
  node tells the same;
- failed e-mail attempts and refused sign-ins, counted in the process where they happen.

gunicorn runs several processes, and a worker sends the e-mails in another: with
``PROMETHEUS_MULTIPROC_DIR`` set (the same directory for every process of a machine, emptied
before they start) prometheus_client keeps the counts in files there and a scrape adds them up.
"""

import hmac
import ipaddress
import logging
import os
import time

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.encoding import escape_uri_path
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from qpp_registration.core.background import queue

PATH = "/metrics"
logger = logging.getLogger("qpp.metrics")
slow_requests = logging.getLogger("qpp.requests")

REQUEST_SECONDS = Histogram(
    "qpp_http_request_duration_seconds",
    "Time to answer a request, by view name, method and status class (2xx, 3xx, 4xx, 5xx).",
    ["view", "method", "status"],
)
EMAIL_FAILURES = Counter(
    "qpp_email_delivery_failures",
    "Attempts to send an e-mail that failed: retry (tried again later) or gave_up (failed, shown to staff).",
    ["outcome"],
)
SIGN_IN_FAILURES = Counter("qpp_sign_in_failures", "Sign-ins refused for a wrong User ID or password.")
for _outcome in ("retry", "gave_up"):
    EMAIL_FAILURES.labels(outcome=_outcome)  # shown as 0 before the first failure

# Any other method (anyone may send any word) is counted as "other": a label per word sent would
# let a stranger add series without end.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


@receiver(user_login_failed, dispatch_uid="qpp_metrics_sign_in_failed")
def count_sign_in_failure(sender, **kwargs):
    SIGN_IN_FAILURES.inc()


class QueueCollector:
    """The task queue and the outbox as they are at the scrape (``core.background.queue``)."""

    def describe(self):
        return []  # nothing read when the collector is registered, only when scraped

    def collect(self):
        try:
            state = queue.state()
        except Exception:
            # The database or Redis is away: the scrape still gives the counters, and the
            # missing series are what an alert notices.
            logger.warning("Could not read the queue for /metrics.", exc_info=True)
            return
        now = timezone.now()
        tasks = GaugeMetricFamily(
            "qpp_task_queue_tasks",
            "Tasks in the queue: waiting (due now), scheduled (a later retry), running, failed.",
            labels=["state"],
        )
        for name in ("waiting", "scheduled", "running", "failed"):
            tasks.add_metric([name], getattr(state, name))
        yield tasks
        yield GaugeMetricFamily(
            "qpp_task_queue_oldest_waiting_age_seconds",
            "How long the oldest task due now has waited; 0 when none waits.",
            value=_age(state.oldest_waiting, now),
        )
        emails = GaugeMetricFamily(
            "qpp_outbox_emails",
            "E-mails in the outbox: queued (to send or retry), sending, failed (given up; staff may retry).",
            labels=["status"],
        )
        emails.add_metric(["queued"], state.emails_waiting)
        emails.add_metric(["sending"], state.emails_sending)
        emails.add_metric(["failed"], state.emails_failed)
        yield emails
        yield GaugeMetricFamily(
            "qpp_outbox_oldest_queued_age_seconds",
            "How long ago the oldest e-mail still queued was written; 0 when none is.",
            value=_age(state.oldest_email_waiting, now),
        )
        yield GaugeMetricFamily(
            "qpp_outbox_emails_sent_last_day",
            "E-mails sent in the last 24 hours.",
            value=state.emails_sent_last_day,
        )


def _age(moment, now):
    return max((now - moment).total_seconds(), 0.0) if moment else 0.0


def exposition():
    """Every metric, as Prometheus reads them."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Every process's counts, from the files they write (this process's included).
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REGISTRY)
    registry.register(QueueCollector())
    return generate_latest(registry)


def _allowed(request):
    """The token in ``Authorization: Bearer …``, or a request straight from an allowed network.

    A request that came through a proxy (``X-Forwarded-For``) has the proxy's address in
    REMOTE_ADDR, whoever sent it: only the token lets it in.
    """
    token = settings.QPP_METRICS_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return True
    networks = settings.QPP_METRICS_ALLOWED_NETWORKS
    if networks and "X-Forwarded-For" not in request.headers:
        try:
            address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        address = getattr(address, "ipv4_mapped", None) or address
        return any(address in network for network in networks)
    return False


class MetricsEndpointMiddleware:
    """Answers ``/metrics`` before the session, the user, CSRF and the idle clock are looked at,
    so a scrape neither needs nor touches a session; with no token and no network configured it
    lets the request through to the ordinary 404."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != PATH or not (
            settings.QPP_METRICS_TOKEN or settings.QPP_METRICS_ALLOWED_NETWORKS
        ):
            return self.get_response(request)
        if not _allowed(request):
            response = HttpResponse("Forbidden\n", status=403, content_type="text/plain")
            if settings.QPP_METRICS_TOKEN:
                response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        elif request.method != "GET":
            response = HttpResponse(status=405, headers={"Allow": "GET"})
        else:
            response = HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
        add_never_cache_headers(response)
        # SecurityMiddleware, which would add this, comes after.
        response["X-Content-Type-Options"] = "nosniff"
        return response


class RequestTimingMiddleware:
    """Observes each request's latency and writes a line for one slower than
    ``QPP_SLOW_REQUEST_SECONDS``: method, path (query names only: values may be personal),
    status, seconds and view, with the request id like every line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        view = _view_name(request)
        method = request.method if request.method in _METHODS else "other"
        status = response.status_code
        REQUEST_SECONDS.labels(view=view, method=method, status=f"{status // 100}xx").observe(seconds)
        if seconds > settings.QPP_SLOW_REQUEST_SECONDS:
            path = _path_without_values(request)
            slow_requests.warning(
                "Slow request: %s %s answered %d in %.3f s (view %s)",
                method,
                path,
                status,
                seconds,
                view,
                extra={
                    "method": method,
                    "path": path,
                    "status_code": status,
                    "duration_seconds": round(seconds, 3),
                    "view": view,
                },
            )
        return response


def _view_name(request):
    """The URL pattern's name (``registration_submit``, ``admin:index``), also when a middleware
    answered before the view ran (a sign-out after idle time); ``unresolved`` for a URL that
    matches none."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return "unresolved"
    return match.view_name


def _path_without_values(request):
    path = escape_uri_path(request.path)
    try:
        names = list(request.GET)
    except Exception:
        names = []  # a query Django refused to read (too many fields) is left out
    if names:
        path += "?" + "&".join(escape_uri_path(name) for name in names)
    return path
