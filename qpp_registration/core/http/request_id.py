"""One id per request, on every log line written while it runs and on the e-mails it queues.

The load balancer's ``X-Request-ID`` is kept when it is a plain token (so its log and the portal's
tell the same story), any other value is replaced, and the response says which id was used. The
outbox keeps the id with each message and the worker runs the delivery under it
(``qpp_registration.core.background.outbox``), so the worker's lines about an e-mail carry
the id of the request that caused it. See docs/operations.md.
"""

import contextlib
import contextvars
import logging
import re
import uuid

from django.core.signals import request_finished

HEADER = "X-Request-ID"
# Letters, digits and . _ - only, at most 64 of them: what goes on every log line and back to
# the client must not carry a new line, markup or a megabyte.
_SANE = re.compile(r"[A-Za-z0-9._-]{1,64}")

_current = contextvars.ContextVar("request_id", default=None)


def current():
    """The id of the request (or of the e-mail's request) being handled, or None."""
    return _current.get()


def from_header(value):
    """``value`` when it is a sane token, else a new id."""
    if value and _SANE.fullmatch(value):
        return value
    return uuid.uuid4().hex


@contextlib.contextmanager
def bound(request_id):
    """Log lines written inside carry ``request_id`` (none, when it is empty)."""
    token = _current.set(request_id or None)
    try:
        yield
    finally:
        _current.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record a handler writes (None outside a request)."""

    def filter(self, record):
        record.request_id = _current.get()
        return True


class RequestIdMiddleware:
    """First in MIDDLEWARE, so every other middleware's lines carry the id too.

    The id stays set until the response is closed (``request_finished``) rather than until this
    middleware returns: Django logs a 4xx or 5xx answer ("Not Found: …") after the middleware
    chain is done.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = from_header(request.headers.get(HEADER))
        _current.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def _forget(sender, **kwargs):
    _current.set(None)


request_finished.connect(_forget, dispatch_uid="qpp_request_id_forget")
