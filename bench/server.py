"""A production-like portal for the load benchmarks: a fresh PostgreSQL database, Redis for
the cache (sessions are in the database, as in production), gunicorn with the production
settings, and sessions made without the UI. ``bench/load.py`` and ``bench/surge.py`` use it;
everything it starts it stops.

The settings are production's (``bench/settings.py`` adds only the bare yardstick page and
its template folder), run over plain HTTP on loopback with the switches production documents
for that (``SECURE_SSL_REDIRECT``, ``SECURE_HSTS_SECONDS``, ``SESSION_COOKIE_SECURE``,
``CSRF_COOKIE_SECURE``): never do this on a network.
"""

import importlib.util
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the portal's apps and bench.settings
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))


def ensure_tools(*, wrk=False, haproxy=False):
    """Install what the benchmarks need: the ``bench`` dependency group (matplotlib, aiosmtpd)
    and Debian's wrk for load.py, its haproxy for cluster.py (as root; otherwise say what to run)."""
    if any(importlib.util.find_spec(name) is None for name in ("matplotlib", "aiosmtpd")):
        subprocess.run([PYTHON, "-m", "pip", "install", "--quiet", "--group", "bench"], cwd=ROOT, check=True)
    for package, wanted in (("wrk", wrk), ("haproxy", haproxy)):
        if wanted and debian_command(package) is None:
            if os.geteuid() != 0:
                sys.exit(
                    f"{package} is missing: run `sudo apt-get install {package}`, then this command again."
                )
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
            subprocess.run(
                ["apt-get", "install", "-y", "-qq", package], check=True, env=env, stdout=subprocess.DEVNULL
            )


def debian_command(name):
    """The path of a command a Debian package installs, in /usr/sbin too (haproxy) when that is
    not on the PATH of a user other than root; None when it is missing."""
    return shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def portal_environment(database_url, redis_url):
    """The environment of the server and of this process (which makes the sessions)."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": "bench-" + secrets.token_hex(32),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        # Plain HTTP on loopback (documented in production.py as unsafe on a network).
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        # No mail server here: the registration e-mails go to the console backend's stdout.
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "PYTHONPATH": str(ROOT),
    }


def recreate_database(url):
    import psycopg2
    from psycopg2 import sql

    parsed = urlparse(url)
    connection = psycopg2.connect(
        host=parsed.hostname, port=parsed.port or 5432, user=parsed.username, dbname="postgres"
    )
    connection.autocommit = True
    name = sql.Identifier(parsed.path.lstrip("/"))
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(name))
    connection.close()


def flush_redis(url):
    import redis

    redis.Redis.from_url(url).flushdb()


def prepare_portal(database_url, redis_url, seed, environment=None):
    """The portal's environment in this process (``environment`` added to it), a fresh database
    migrated with the demo data and ``seed`` (called with Django set up), Redis flushed, the static
    files collected and the planner's statistics taken, as in a running database."""
    os.environ.update({**portal_environment(database_url, redis_url), **(environment or {})})
    print(f"database {database_url} (made afresh), Redis {redis_url} (flushed)")
    recreate_database(database_url)
    flush_redis(redis_url)
    manage = [PYTHON, str(ROOT / "manage.py")]
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["createcachetable"],
        ["collectstatic", "--noinput", "-v0"],
    ):
        subprocess.run(manage + command, cwd=ROOT, check=True, env=os.environ)
    subprocess.run([*manage, "seed_demo"], cwd=ROOT, check=True, env=os.environ, stdout=subprocess.DEVNULL)

    import django

    django.setup()
    seed()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the statistics autovacuum keeps in a running database


class PortalServer:
    """``with PortalServer(...) as server:`` — database made and seeded, gunicorn serving with the
    deployment's own configuration (``deploy/gunicorn.conf.py``: 2 x cores + 1 sync workers) on a
    loopback port; ``workers`` another number of workers (None: the configuration's)."""

    def __init__(self, *, database, redis_db, workers=None, seed):
        self.database_url = f"postgres://postgres@127.0.0.1:5432/{database}"
        self.redis_url = f"redis://127.0.0.1:6379/{redis_db}"
        self.workers = workers
        self.seed = seed  # called with Django set up, after migrate and seed_demo
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.log = None

    def __enter__(self):
        prepare_portal(self.database_url, self.redis_url, self.seed)
        self.log = open(f"/tmp/qpp-bench-gunicorn-{self.port}.log", "w")
        self.process = subprocess.Popen(
            [
                GUNICORN,
                *("--config", str(ROOT / "deploy" / "gunicorn.conf.py")),
                *(("--workers", str(self.workers)) if self.workers else ()),
                *("--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "5"),
                "qpp_registration.wsgi",
            ],
            cwd=ROOT,
            env=os.environ,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(self.url + "/accounts/login/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"gunicorn did not start; see {self.log.name}")
        # The configuration's number, as it works it out (WEB_CONCURRENCY aside).
        self.workers = self.workers or 2 * len(os.sched_getaffinity(0)) + 1
        print(f"gunicorn (deploy/gunicorn.conf.py): {self.workers} sync workers on {self.url}")
        print(f"  (log {self.log.name})")
        return self

    def worker_pids(self):
        output = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in output.split()]

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        if self.log is not None:
            self.log.close()


def practices(count, *, identifier_prefix, name):
    """``count`` unsaved practices with a complete mailing address (what Submit Registration
    needs [2020 §IV.4]); ``name`` is formatted with the number."""
    from organizations.models import Organization

    return [
        Organization(
            kind=Organization.Kind.PRACTICE,
            identifier=f"{identifier_prefix}{n:08d}",
            name=name.format(n),
            address_line_1=f"{n} Main Street",
            city="Baltimore",
            state="MD",
            zip_code="21201",
        )
        for n in range(count)
    ]


def session_cookie(user):
    """A session of ``user`` past the password and the second factor, as a code would leave it,
    made through Django itself (no UI); returns the Cookie header value."""
    from django.conf import settings
    from django.test import Client

    from accounts.two_factor import verify_session

    client = Client()
    client.force_login(user)
    session = client.session
    verify_session(session)
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def load_average():
    one, five, _fifteen = os.getloadavg()
    return f"{one:.2f} (1 min) / {five:.2f} (5 min)"
