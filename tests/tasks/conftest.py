"""A real SMTP server on loopback, the task backends switched per test, and real workers.

``mail_server`` is an aiosmtpd server the test can take down, bring back, make refuse
every recipient with a 451, slow down or hold on one message. ``task_backend`` is
parametrized by the tests that run on both the database and the Redis (RQ) queue.
"""

import asyncio
import email
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from asgiref.local import Local
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.tasks import task_backends

ROOT = Path(__file__).resolve().parents[2]
REDIS_QUEUE_URL = settings.RQ_QUEUES["default"]["URL"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MailServer:
    """An SMTP server on 127.0.0.1 that records what it accepted."""

    def __init__(self):
        self.port = free_port()
        self.received = []
        self.refusing = False
        self.delay = 0.0
        self.hold_at = None  # hold the n-th message (1-based) until ``release`` is set
        self.holding = threading.Event()
        self.release = threading.Event()
        self._controller = None
        self._lock = threading.Lock()

    def start(self):
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refusing:
            return "451 4.3.2 Too busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            held = self.hold_at is not None and len(self.received) + 1 == self.hold_at
        if held:
            self.holding.set()
            # The sender is killed meanwhile: aiosmtpd cancels this handler when the
            # connection drops, and a message whose sender never saw "250" was not accepted
            # (RFC 5321 §4.1.1.4), so it is not recorded.
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            if server.transport is None or server.transport.is_closing():
                return "421 connection lost"
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        with self._lock:
            self.received.append(message)
        return "250 Message accepted for delivery"

    def recipients(self):
        return sorted(message["To"] for message in self.received)

    def message_ids(self):
        return [message["Message-ID"] for message in self.received]


@pytest.fixture
def mail_server(settings):
    server = MailServer()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 5},
        }
    }
    yield server
    server.release.set()
    server.stop()


def use_tasks(settings, backend):
    settings.TASKS = {"default": {"BACKEND": backend}}
    # django.tasks keeps its backends once made; start again from the new setting.
    task_backends.__dict__.pop("settings", None)
    task_backends._settings = None
    task_backends._connections = Local(task_backends.thread_critical)


BACKENDS = {"database": "django_tasks_db.DatabaseBackend", "redis": "django_tasks_rq.RQBackend"}


@pytest.fixture(params=["database", "redis"])
def task_backend(request, settings):
    """The task queue under test: the database (default) or Redis through RQ."""
    name = request.param
    use_tasks(settings, BACKENDS[name])
    if name == "redis":
        _empty_redis_queue()
    yield name
    if name == "redis":
        _empty_redis_queue()
    use_tasks(settings, "django.tasks.backends.immediate.ImmediateBackend")


@pytest.fixture
def database_tasks(settings):
    use_tasks(settings, BACKENDS["database"])
    yield
    use_tasks(settings, "django.tasks.backends.immediate.ImmediateBackend")


def _empty_redis_queue():
    import django_rq
    from rq.registry import ScheduledJobRegistry

    queue = django_rq.get_queue("default")
    queue.empty()
    registry = ScheduledJobRegistry(queue=queue)
    for job_id in registry.get_job_ids():
        registry.remove(job_id, delete_job=True)


def run_worker(backend):
    """Run every task that is due now, in this process, as a worker would."""
    if backend == "database":
        call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)
    else:
        import django_rq
        from rq import SimpleWorker

        worker = django_rq.get_worker("default", job_class="django_tasks_rq.Job", worker_class=SimpleWorker)
        worker.work(burst=True, with_scheduler=True, logging_level="WARNING")


# --- Real processes ----------------------------------------------------------------------------------


def database_url():
    """The test database, as a URL the worker and scheduler processes can use."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{db.get('USER') or 'postgres'}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def process_env(mail_server):
    """Environment of a worker or scheduler process: production settings, the test
    database, the database task queue and the loopback mail server."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qpp_registration.settings.production",
        "SECRET_KEY": "task-tests-only-" + "x" * 40,
        "DATABASE_URL": database_url(),
        "TASK_BACKEND": "database",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(mail_server.port),
        "EMAIL_TIMEOUT": "5",
        "EMAIL_CLAIM_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)
    return env


def manage(*args, env):
    return subprocess.Popen(  # noqa: S603 - manage.py with arguments the test wrote
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def worker_args():
    return ["db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0"]


def stop(process):
    """Stop a worker, scheduler or server process the test started, as Ctrl-C would."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
