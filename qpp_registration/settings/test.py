"""Test settings: fast hashing, in-memory mail outbox, finder-served static files."""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .dev import *  # noqa: F403
from .env import env_str

DEBUG = False
SECRET_KEY = "test-only-insecure-key"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

# `make test` runs the suite in parallel (pytest-xdist). Each worker has its own test database;
# it also needs its own Redis databases, because tests clear the cache (FLUSHDB), which holds
# the sessions and throttles of the tests running beside them, and empty the task queue.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")


def _redis_of_this_worker(url):
    if not _worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    database = (int(parts.path.strip("/") or 0) - int(_worker[2:])) % 16
    return urlunsplit(parts._replace(path=f"/{database}"))


if REDIS_URL:  # noqa: F405
    CACHES["default"] = {**CACHES["default"], "LOCATION": _redis_of_this_worker(REDIS_URL)}  # noqa: F405

# Tasks run as soon as they are enqueued, which for e-mail is when the transaction commits
# (qpp_registration.core.background.outbox), so a test reads mail.outbox as before. The task tests switch
# the default backend to the database or Redis and run real workers.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
INSTALLED_APPS = [*INSTALLED_APPS, "django_rq"]  # noqa: F405
RQ_SHOW_ADMIN_LINK = False
RQ_QUEUES = {
    "default": {"URL": _redis_of_this_worker(env_str("TEST_TASK_REDIS_URL", "redis://127.0.0.1:6379/11"))}
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory, so that the worker and scheduler processes the task tests start
    # see the test database.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"qpp-test-{os.getpid()}.sqlite3")
    }
