"""Whole Security Official pages kept per user, until the data or the minute changes [issue 10].

A page a Security Official opens is drawn from the database, the clock and the session, and
nothing else. ``per_user`` keeps the HTML of a GET in the "pages" cache (``PAGE_CACHE``, one
copy per process) under a key of

- the user, the path with its query string and a digest of the session (second factor,
  invitation remembered, anything a view could read there);
- the **data version**: a number in the default cache (the database, or Redis when
  ``REDIS_URL`` is set: shared by every process) that goes up after every committed write
  to the portal's tables, whichever code made it: services, admin forms and actions,
  ``QuerySet.update()``, ``bulk_create``, data loads and migrations. Every connection notes
  its INSERT, UPDATE, DELETE and TRUNCATE statements (``note_writes``) and raises the
  version when the transaction commits (at once in autocommit);
- the current minute (UTC), so "printed at", countdowns and a window opening or closing at
  8 p.m. ET show as they would, and a change made outside Django (``psql``) shows within
  a minute.

A page is not kept or served from the cache when the request carries a message to show, when
the view wrote to the database or to the session, when it answered other than 200 or set a
cookie, or while this connection holds writes it has not committed (a test's transaction).
The CSRF token is kept out: the stored copy has a placeholder, filled with a token freshly
masked for each request, as Django masks one for each page it draws.

``per_user_value`` keeps a value under the same key parts (user, data version, minute) for the
pages of the user that are drawn: what they share and what costs as much as the user has
organizations, such as the counts of a list's tabs.
"""

import hashlib
import logging
import re
import secrets
import threading
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.dummy import DummyCache
from django.core.signals import request_finished, setting_changed
from django.db import connections
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.tasks.signals import task_finished
from django.utils import timezone

from accounts.two_factor import LAST_SEEN_KEY
from qpp_registration.fragments import CSRF_PLACEHOLDER

logger = logging.getLogger("qpp.page_cache")

VERSION_KEY = "portal:data-version"
TIMEOUT = 120  # seconds; the minute in the key retires a page sooner

# Writes that change nothing a page shows: the cache and session stores, the task queue, the
# e-mail outbox and the scheduler's bookkeeping. Every other table counts.
IGNORED_TABLES = frozenset(
    {
        "django_session",
        "django_tasks_database_dbtaskresult",
        "qpp_registration_outgoingemail",
        "qpp_registration_scheduledrun",
    }
    | {
        options["LOCATION"]
        for options in settings.CACHES.values()
        if options["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    }
)
_WRITE = re.compile(
    r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+[`"\[]?(\w+)',
    re.IGNORECASE,
)
_CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
_CSRF_PLACEHOLDER = CSRF_PLACEHOLDER.encode()


def pages():
    return caches["pages"]


# --- The data version ----------------------------------------------------------------------------


def data_version():
    """The current data version; a fresh random one if the cache has none (first use, a flush,
    an eviction), so a number never comes back to name older data."""
    _raise_if_written()
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, secrets.randbits(62), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def raise_data_version():
    """Retire every kept page. A cache that fails is logged, never the writer's error: the
    minute in each page's key retires a page soon anyway."""
    if not _version_store_ready():
        return  # the database is being made: no page can have been kept from it
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # not in the cache: any new number retires every kept page
            cache.add(VERSION_KEY, secrets.randbits(62), timeout=None)
    except Exception:
        logger.exception("The data version could not be raised; kept pages retire within a minute.")


def note_writes(execute, sql, params, many, context):
    """A database execute wrapper (on every connection, ``install``): a write to a table a page
    may show raises the data version when its transaction commits.

    A write in autocommit raises it once the statement is answered: at once when the version
    is in Redis; when it is in the database, on this very connection, which must not run
    anything else before the statement's rows are read (an INSERT's RETURNING), at the next
    safe moment in this process: the next version read, the end of the request or task (a
    command's last writes show within the minute)."""
    result = execute(sql, params, many, context)
    written = _WRITE.match(sql)
    if written and written.group(1).lower() not in IGNORED_TABLES:
        connection = context["connection"]
        if connection.in_atomic_block:
            if not _has_uncommitted_writes(connection):
                connection.on_commit(raise_data_version)
        elif _version_in_database():
            _written_in_autocommit.set()
        else:
            raise_data_version()
    return result


_written_in_autocommit = threading.Event()


def written_in_autocommit():
    """Whether writes made in autocommit still owe a raise of the version (``settle``)."""
    return _written_in_autocommit.is_set()


@receiver(request_finished)
@receiver(task_finished)
def _raise_if_written(**kwargs):
    if _written_in_autocommit.is_set():
        _written_in_autocommit.clear()
        raise_data_version()


def settle():
    """Do now what the first request of a process would otherwise do on its way: look for the
    version store, and raise the version for writes made in autocommit and not yet counted
    (the test suite calls it once its databases are made, so that no test counts these
    queries as its page's)."""
    if _version_store_ready():
        _raise_if_written()


_store_ready = False


def _version_store_ready():
    """False only while the default cache's database table is still to be made (``migrate``
    before ``createcachetable``)."""
    global _store_ready
    if not _store_ready:
        if _version_in_database():
            _store_ready = caches["default"]._table in connections["default"].introspection.table_names()
        else:
            _store_ready = True
    return _store_ready


def _version_in_database():
    """Whether the data version is kept by the database cache (no ``REDIS_URL``)."""
    return isinstance(caches["default"], DatabaseCache)


def _has_uncommitted_writes(connection):
    """Whether this connection's open transaction wrote to a page's tables: its commit will
    raise the version (a rolled-back savepoint or transaction takes its callback with it)."""
    return connection.in_atomic_block and any(
        callback is raise_data_version for _, callback, *_ in connection.run_on_commit
    )


@receiver(connection_created)
def install(sender, connection, **kwargs):
    if note_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(note_writes)


@receiver(setting_changed)
def forget_pages(**kwargs):
    """A setting changed (a test's ``override_settings``): no kept page was drawn under it."""
    pages().clear()


# --- Pages ---------------------------------------------------------------------------------------


def per_user(view):
    """Keep the view's GET answers per user (see the module's docstring). The view still runs
    for anything else, and decides everything the first time."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _may_use_cache(request):
            return view(request, *args, **kwargs)
        session = _session_digest(request)
        key = _key(request, session)
        kept = pages().get(key)
        if kept is not None:
            return _from_kept(request, *kept)
        response = view(request, *args, **kwargs)
        if _may_keep(request, response, session):
            pages().set(key, _to_keep(response), TIMEOUT)
        return response

    return wrapper


def per_user_value(request, name, compute):
    """``compute()``, kept like a page: for this user, until the data or the minute changes.

    For what a user's pages share and what costs as much as the user has organizations (the
    counts of a list's tabs, of the organizations to offer to register as last year), read once
    for every page, filter and tab the user opens in between. ``name``: what the value is,
    with anything it depends on besides the user and the data (a year)."""
    if not _may_keep_for(request):
        return compute()
    key = f"value:{name}:{_user_version_minute(request)}"
    # Beside the pages' fragments (one copy per process), not with the pages: a page of the
    # user's not seen before (another filter, another page of the list) finds it there.
    return caches["fragments"].get_or_set(key, compute, TIMEOUT)


def _user_version_minute(request):
    """What every kept page and value of this request is keyed on besides its own name: the
    user, the data version (read once per request) and the current minute (UTC)."""
    if not hasattr(request, "_qpp_data_version"):
        request._qpp_data_version = data_version()
    minute = timezone.now().strftime("%Y%m%d%H%M")
    return f"{request.user.pk}:{request._qpp_data_version}:{minute}"


def _may_use_cache(request):
    return request.method == "GET" and _may_keep_for(request) and not len(messages.get_messages(request))


def _may_keep_for(request):
    return (
        not isinstance(pages(), DummyCache)
        and _version_store_ready()
        and request.user.is_authenticated
        and not _has_uncommitted_writes(connections["default"])
    )


def _session_digest(request):
    """What the view could read from the session, without the time of the last request."""
    items = sorted((key, value) for key, value in request.session.items() if key != LAST_SEEN_KEY)
    return hashlib.sha256(repr(items).encode()).hexdigest()


def _key(request, session):
    where = hashlib.sha256(f"{request.get_full_path()}\n{session}".encode()).hexdigest()
    return f"page:{_user_version_minute(request)}:{where}"


def _may_keep(request, response, session):
    return (
        response.status_code == 200
        and not response.streaming
        and getattr(response, "is_rendered", True)
        and not response.cookies
        and not len(messages.get_messages(request))
        and not _has_uncommitted_writes(connections["default"])
        and _session_digest(request) == session
    )


def _to_keep(response):
    content = response.content
    token = _CSRF_INPUT.search(content)
    if token:
        content = content.replace(token.group(1), _CSRF_PLACEHOLDER)
    return content, list(response.headers.items())


def _from_kept(request, content, headers):
    if _CSRF_PLACEHOLDER in content:
        content = content.replace(_CSRF_PLACEHOLDER, get_token(request).encode())
    return HttpResponse(content, headers=dict(headers))
