"""The real parts the outage tests start, stop and start again, all on loopback and each in a
temporary folder of its own: a private PostgreSQL cluster, a private Redis, the portal under
gunicorn with the production settings, and a small HTTP client that keeps cookies.

The shared PostgreSQL and Redis of the machine are never touched. PostgreSQL refuses to run
as root: as root (CI), its commands run as the ``postgres`` user through ``runuser``.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, *, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"Gave up waiting for {what} after {timeout} s.")


def _postgres_bin():
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    if versions:
        return versions[-1].parent
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    raise AssertionError(
        "The database outage test starts a private PostgreSQL: install it (apt-get install postgresql)."
    )


class PrivatePostgres:
    """A PostgreSQL cluster of its own on a free port, stopped and started as the test says."""

    def __init__(self):
        self.bin = _postgres_bin()
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="qpp-pg-"))
        self.data = self.directory / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/qpp"
        self._as_root = os.geteuid() == 0
        if self._as_root:
            shutil.chown(self.directory, user="postgres")

    def _run(self, program, *args):
        command = [str(self.bin / program), *args]
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)  # noqa: S603

    def create(self):
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        self.start()
        self.sql("postgres", "CREATE DATABASE qpp")

    def start(self):
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.directory / "log"), "-o", options, "-w", "start"
        )

    def stop(self, mode="immediate"):
        """``immediate``: the server goes away at once, as in a crash; open transactions are lost."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def sql(self, database, statement, params=()):
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=database)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement, params)
                return cursor.fetchall() if cursor.description else None
        finally:
            connection.close()

    def remove(self):
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


class PrivateRedis:
    """A ``redis-server`` of its own on a free port, without persistence: a restart forgets
    everything, as a Redis replaced by a new one would."""

    def __init__(self):
        self.server = shutil.which("redis-server")
        if self.server is None:
            raise AssertionError(
                "The Redis outage test starts a private redis-server: apt-get install redis-server."
            )
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="qpp-redis-"))
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603
            [
                self.server,
                *("--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory)),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=10, what="redis-server")

    def _answers(self):
        import redis

        try:
            return redis.Redis(port=self.port, socket_timeout=0.5).ping()
        except redis.exceptions.ConnectionError:
            return False

    def stall(self):
        """Stop answering, connections left open (SIGSTOP): a Redis busy or cut off."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def stop(self):
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)  # a stopped process cannot act on SIGTERM
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def remove(self):
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def portal_environment(database_url, **extra):
    """The production settings (tests/outages/settings.py) on plain HTTP on loopback, with the
    switches production documents for that; never on a network."""
    # Bytecode written, as `make test` does: each process started here would compile the project
    # again (seconds of CPU each).
    left_out = {
        "REDIS_URL",
        "TASK_BACKEND",
        "TASK_REDIS_URL",
        "PYTEST_XDIST_WORKER",
        "PYTHONDONTWRITEBYTECODE",
    }
    env = {key: value for key, value in os.environ.items() if key not in left_out}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.outages.settings",
            "SECRET_KEY": "outage-tests-only-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
    )
    return env


def manage(*args, env):
    """``manage.py`` with ``args`` in a process of its own; its output when it succeeded."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def seed(env):
    """The database migrated, with its cache table, and the outage tests' people and registration
    (tests/outages/seed.py), as JSON."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.outages.seed"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


class Portal:
    """gunicorn serving the portal with ``env``; ``log`` is everything it printed."""

    def __init__(self, env, *, workers=2):
        self.env = env
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = tempfile.NamedTemporaryFile(prefix="qpp-outage-gunicorn-", suffix=".log")  # noqa: SIM115
        self.process = None

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603
            [
                str(GUNICORN),
                "qpp_registration.wsgi",
                *("--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)),
                *("--timeout", "30", "--graceful-timeout", "2"),
                # Not one control socket in $HOME shared with every other gunicorn on the machine.
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        wait_for(self._answers, timeout=30, what="gunicorn")

    def _answers(self):
        assert self.process.poll() is None, self.log
        try:
            urllib.request.urlopen(self.url + "/healthz", timeout=2)  # noqa: S310
        except urllib.error.HTTPError:
            return True  # it answers; what it says is the test's business
        except OSError:
            return False
        return True

    @property
    def log(self):
        return Path(self._log.name).read_text(errors="replace")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
        self._log.close()


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.text = status, headers, body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.text)

    def __repr__(self):
        return f"<Answer {self.status} {self.text[:200]!r}>"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies, the CSRF token from its cookie, and no redirects followed: what a browser sends,
    and every answer as it came."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.cookies = {}
        self.deleted_cookies = []  # names of the cookies the portal told this browser to delete
        self._opener = urllib.request.build_opener(_NoRedirects)

    def get(self, path, *, headers=None):
        return self._send("GET", path, None, headers or {})

    def post(self, path, data, *, headers=None):
        token = self.cookies.get("csrftoken", "")
        body = urlencode({"csrfmiddlewaretoken": token, **data}, doseq=True).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": token,
            **(headers or {}),
        }
        return self._send("POST", path, body, headers)

    def _send(self, method, path, body, headers):
        request = urllib.request.Request(self.base_url + path, data=body, method=method, headers=headers)  # noqa: S310
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{name}={value}" for name, value in self.cookies.items()))
        try:
            with self._opener.open(request, timeout=20) as response:
                answer = Answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            answer = Answer(error.code, error.headers, error.read())
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                    self.deleted_cookies.append(name)
                else:
                    self.cookies[name] = morsel.value
        return answer
