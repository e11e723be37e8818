"""The real parts ``bench/cluster.py`` starts on loopback and stops again: processes in sessions of
their own, deploy/Procfile's commands, a private redis-server, an SMTP server that counts what it
receives, and HAProxy running deploy/haproxy.cfg with only its addresses changed."""

import contextlib
import csv
import email
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter

from server import GUNICORN, PYTHON, ROOT, debian_command, free_port

DEPLOY = ROOT / "deploy"


# --- Processes, Redis, e-mail -------------------------------------------------------------------------


class Process:
    """A command in a session of its own, its output in ``log``: stopped with SIGTERM (then SIGKILL
    for what is left of its group), or killed whole with SIGKILL."""

    def __init__(self, name, argv, env, folder):
        self.name = name
        self.log = folder / f"{name}.log"
        with self.log.open("w") as output:
            self.popen = subprocess.Popen(
                argv, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.pid = self.popen.pid

    def group(self):
        found = subprocess.run(["pgrep", "-g", str(self.pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in found.split()]

    def kill(self):
        os.killpg(self.pid, signal.SIGKILL)
        self.popen.wait()

    def stop(self):
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)

    def text(self):
        return self.log.read_text(errors="replace")


def procfile():
    """deploy/Procfile's commands, with this virtualenv's python and gunicorn."""
    commands = {}
    for line in (DEPLOY / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            argv = shlex.split(command)
            commands[name.strip()] = [
                {"python": PYTHON, "gunicorn": GUNICORN}.get(argv[0], argv[0]),
                *argv[1:],
            ]
    return commands


class MailServer:
    """An SMTP server on loopback that keeps the recipient, subject and Message-ID of each message."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.received = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        with self._lock:
            self.received.append((message["To"], message["Subject"], message["Message-ID"]))
        return "250 Message accepted for delivery"

    def __enter__(self):
        self._controller.start()
        return self

    def __exit__(self, *exc):
        self._controller.stop()


def private_redis(folder):
    """A redis-server of its own on a free port, keeping nothing on disk; (process, URL)."""
    port = free_port()
    argv = [debian_command("redis-server") or "redis-server", "--port", str(port), "--bind", "127.0.0.1"]
    process = Process(
        "redis", [*argv, "--dir", str(folder), "--save", "", "--appendonly", "no"], None, folder
    )
    wait_for(lambda: answers(port), 10, "redis-server")
    return process, f"redis://127.0.0.1:{port}/0"


def answers(port, path=None):
    """Whether something takes connections on the loopback ``port`` (and answers 200 at ``path``)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            if path is None:
                return True
            connection.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
            return connection.recv(64).split()[1:2] == [b"200"]
    except OSError:
        return False


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting for {what} after {seconds} s")
        time.sleep(0.2)


# --- HAProxy -----------------------------------------------------------------------------------------


def loopback_haproxy_config(text, *, port, nodes, socket_path):
    """deploy/haproxy.cfg with only its addresses changed: its bind lines become one loopback
    port, each backend's server lines the loopback nodes (``{name: port}``); in ``global`` the
    lines that run it as a system service (syslog, chroot, user, daemon, the runtime API's path)
    give way to a log on standard output and the API in ``socket_path``; the HTTPS redirect goes
    (no certificate on loopback). Checks, timeouts, retries and headers stay as deployed."""
    system = ("log ", "chroot ", "user ", "group ", "daemon", "stats socket ")
    lines, section, changed, previous = [], None, Counter(), ""
    for line in text.splitlines():
        stripped = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        if line and not line[0].isspace() and not line.startswith("#"):
            section = stripped.split()[0]
            lines.append(line)
            if section == "global":
                lines += [
                    "    log stdout format raw local0",
                    f"    stats socket {socket_path} mode 600 level admin",
                ]
            continue
        if section == "global" and stripped.startswith(system):
            changed["global"] += 1
        elif stripped.startswith("bind "):
            if not changed["bind"]:
                lines.append(f"{indent}bind 127.0.0.1:{port}")
            changed["bind"] += 1
        elif stripped.startswith("http-request redirect scheme https"):
            changed["redirect"] += 1
        elif stripped.startswith("server "):
            if not previous.startswith("server "):
                options = " ".join(stripped.split()[3:])
                lines += [
                    f"{indent}server {name} 127.0.0.1:{node} {options}".rstrip()
                    for name, node in nodes.items()
                ]
            changed["server"] += 1
        else:
            lines.append(line)
        previous = stripped
    missing = {"global", "bind", "redirect", "server"} - set(changed)
    if missing:
        sys.exit(f"deploy/haproxy.cfg has no {', '.join(sorted(missing))} lines where cluster.py looks.")
    return "\n".join(lines) + "\n"


class HAProxy(Process):
    """HAProxy on ``port`` in front of ``nodes``, with its runtime API (``command``) and its log."""

    def __init__(self, *, port, nodes, folder):
        self.port = port
        self.url = f"http://127.0.0.1:{self.port}"
        self.socket = folder / "haproxy.sock"
        config = folder / "haproxy.cfg"
        config.write_text(
            loopback_haproxy_config(
                (DEPLOY / "haproxy.cfg").read_text(), port=self.port, nodes=nodes, socket_path=self.socket
            )
        )
        super().__init__("haproxy", [debian_command("haproxy"), "-db", "-f", str(config)], None, folder)

    def command(self, line):
        with socket.socket(socket.AF_UNIX) as connection:
            connection.connect(str(self.socket))
            connection.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := connection.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def servers(self, backend="portal"):
        """``{server: row of "show stat"}`` of ``backend``."""
        rows = csv.DictReader(self.command("show stat").lstrip("# ").splitlines())
        return {
            row["svname"]: row
            for row in rows
            if row["pxname"] == backend and row["svname"] not in ("FRONTEND", "BACKEND")
        }

    def checked_up(self):
        return all(row["check_status"] == "L7OK" for row in self.servers().values())

    def requests(self, after=0):
        """Each request of HAProxy's log (the first ``after`` left out): its backend, server,
        status, retries (``+`` in ``redispatched`` when a retry went to another server), method
        and path."""
        pattern = re.compile(
            r"\] \S+ (?P<backend>[^/ ]+)/(?P<server>\S+) \S+ (?P<status>-?\d+) .*? "
            r"\d+/\d+/\d+/\d+/(?P<redispatched>\+?)(?P<retries>\d+) \d+/\d+ "
            r".*?\"(?P<method>[A-Z]+) (?P<path>\S+)"
        )
        matches = filter(None, map(pattern.search, self.text().splitlines()))
        return [match.groupdict() for match in matches][after:]
