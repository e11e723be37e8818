"""Test settings: fast hashing, in-memory mail outbox, finder-served static files."""

import os
import tempfile
from pathlib import Path

from .dev import *  # noqa: F403
from .env import env_str

DEBUG = False
SECRET_KEY = "test-only-insecure-key"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

# Tasks run as soon as they are enqueued, which for e-mail is when the transaction commits
# (qpp_registration.outbox), so a test reads mail.outbox as before. The task tests switch
# the default backend to the database or Redis and run real workers.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
INSTALLED_APPS = [*INSTALLED_APPS, "django_rq"]  # noqa: F405
RQ_QUEUES = {"default": {"URL": env_str("TEST_TASK_REDIS_URL", "redis://127.0.0.1:6379/11")}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory, so that the worker and scheduler processes the task tests start
    # see the test database.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"qpp-test-{os.getpid()}.sqlite3")
    }
