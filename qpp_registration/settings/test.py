"""Test settings: fast hashing, in-memory mail outbox, finder-served static files."""

import os
from urllib.parse import urlsplit, urlunsplit

from .dev import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-insecure-key"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Pages are tested with the fragments kept, as in production.
CACHES = {**CACHES, "fragments": FRAGMENT_CACHE}  # noqa: F405

# `make test` runs the suite in parallel (pytest-xdist). Each worker has its own test database;
# with REDIS_URL it also needs its own Redis database, because tests clear the cache (FLUSHDB)
# and the cache holds the sessions and throttles of the tests running beside them.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _worker.startswith("gw"):  # noqa: F405
    _url = urlsplit(REDIS_URL)  # noqa: F405
    _database = (int(_url.path.strip("/") or 0) - int(_worker[2:])) % 16
    CACHES["default"] = {**CACHES["default"], "LOCATION": urlunsplit(_url._replace(path=f"/{_database}"))}
