"""The embedded default (SQLite) takes the writes of ``make run``'s three processes at once.

A real web server (``runserver``, as ``make run`` starts it, development settings), the real
task worker and the real scheduler share one SQLite file. Two tabs of one Security Official
auto-save a contact on the CAHPS page twice a second for 15 seconds; one of them also asks for
the confirmation e-mail now and then, so the worker is sending mail all along [issue 25].
Every request must answer without an error and every change must be in the database.
"""

import http.cookiejar
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from contacts.models import Contact
from qpp_registration.core.background.models import OutgoingEmail
from registrations.models import Size
from tests.conftest import sign_in_with_two_factor
from tests.factories import registered
from tests.tasks.conftest import ROOT, database_url, free_port, stop

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded default is SQLite"),
]

WRITING_SECONDS = 15
WRITES_PER_SECOND = 2
CONFIRM_EVERY = 4  # the first tab asks for the confirmation e-mail every fourth change


def start(args, *, env, log):
    return subprocess.Popen(  # noqa: S603 - manage.py with arguments the test wrote
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )


def wait_until_serving(base, server):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "the web server exited"
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):  # noqa: S310 - loopback
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail("the web server did not start")


class Tab:
    """One browser tab: the session cookie of the signed-in user, its own CSRF cookie."""

    def __init__(self, base, session_key):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.jar.set_cookie(_cookie(settings.SESSION_COOKIE_NAME, session_key))
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.answers = []  # (status, what) of every request
        self.written = []

    def request(self, path, data=None, *, json_answer=False):
        headers = {}
        if data is not None:
            headers["X-CSRFToken"] = next(c.value for c in self.jar if c.name == settings.CSRF_COOKIE_NAME)
            data = urllib.parse.urlencode(data).encode()
        if json_answer:
            headers["Accept"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, headers=headers)  # noqa: S310 - loopback
        try:
            with self.opener.open(request, timeout=60) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        self.answers.append((status, f"{'POST' if data else 'GET'} {path}: {body[:300]!r}"))
        return status, body

    def edit_contact(self, update_url, values, *, count, label, confirm_url=None):
        token = values["edit_token"]
        for number in range(count):
            started = time.monotonic()
            last_name = f"{label}-{number:03d}"
            status, body = self.request(
                update_url, {**values, "last_name": last_name, "edit_token": token}, json_answer=True
            )
            if status == 200 and json.loads(body)["saved"]:
                token = json.loads(body)["contact"]["values"]["edit_token"]
                self.written.append(last_name)
            if confirm_url and number % CONFIRM_EVERY == CONFIRM_EVERY - 1:
                self.request(confirm_url, {})  # answered with the page again, after a redirect
            time.sleep(max(0.0, 1 / WRITES_PER_SECOND - (time.monotonic() - started)))


def _cookie(name, value):
    return http.cookiejar.Cookie(
        0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, True, None, None, {}
    )


def test_two_tabs_auto_saving_while_the_worker_sends_mail_get_no_error_and_lose_nothing(
    tmp_path, client, security_official, practice, cahps_year_open_now
):
    registration = registered(
        practice, cahps_year_open_now, size=Size.MEDIUM, web_interface=False, cahps=True, contacts=2
    )
    first, second = Contact.objects.filter(registration=registration).order_by("pk")
    sign_in_with_two_factor(client, security_official)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        # What `make run` runs: the development settings on the SQLite file.
        "DJANGO_SETTINGS_MODULE": "qpp_registration.settings.dev",
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions made here are signed with it
        "DATABASE_URL": database_url(),
        "TASK_BACKEND": "database",
        "PORTAL_URL": base,
        "PYTHONUNBUFFERED": "1",
    }
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.CACHES["default"]["LOCATION"]  # the shared state this test sees
    else:
        env.pop("REDIS_URL", None)

    kw = {"year": cahps_year_open_now.year, "organization_id": practice.pk}
    page = reverse("cahps_registration", kwargs=kw)
    confirm_url = reverse("cahps_confirmation", kwargs=kw)
    logs = {name: (tmp_path / f"{name}.log").open("w") for name in ("web", "worker", "scheduler")}
    processes = {
        "web": start(["runserver", "--noreload", f"127.0.0.1:{port}"], env=env, log=logs["web"]),
        "worker": start(["run_worker"], env=env, log=logs["worker"]),
        "scheduler": start(["run_scheduler"], env=env, log=logs["scheduler"]),
    }
    try:
        wait_until_serving(base, processes["web"])
        tabs = [Tab(base, session_key), Tab(base, session_key)]
        for tab in tabs:
            assert tab.request(page)[0] == 200, tab.answers
        count = WRITING_SECONDS * WRITES_PER_SECOND
        runs = [
            threading.Thread(
                target=tabs[0].edit_contact,
                args=(_update_url(kw, first), _values(first)),
                kwargs={"count": count, "label": "First", "confirm_url": confirm_url},
            ),
            threading.Thread(
                target=tabs[1].edit_contact,
                args=(_update_url(kw, second), _values(second)),
                kwargs={"count": count, "label": "Second"},
            ),
        ]
        for run in runs:
            run.start()
        for run in runs:
            run.join(timeout=WRITING_SECONDS * 10)

        errors = [what for tab in tabs for status, what in tab.answers if status != 200]
        assert errors == [], "\n".join(errors[:10])
        assert [len(tab.written) for tab in tabs] == [count, count]

        # Every change is in the database, in order: the contact's history holds each one.
        for contact, tab in zip((first, second), tabs, strict=True):
            contact.refresh_from_db()
            assert contact.last_name == tab.written[-1]
            history = list(contact.history.order_by("history_date").values_list("last_name", flat=True))
            assert [name for name in history if name in tab.written] == tab.written

        # The confirmations went to both contacts each time, and the worker sent every one.
        deadline = time.monotonic() + 60
        while OutgoingEmail.objects.exclude(status=OutgoingEmail.Status.SENT).exists():
            assert time.monotonic() < deadline, list(OutgoingEmail.objects.values("status", "last_error"))
            time.sleep(0.5)
        assert OutgoingEmail.objects.count() == 2 * (count // CONFIRM_EVERY)
        for name, process in processes.items():
            assert process.poll() is None, f"the {name} exited"
    finally:
        for process in processes.values():
            stop(process)
        for log in logs.values():
            log.close()
    for name in processes:
        text = (tmp_path / f"{name}.log").read_text()
        assert "database is locked" not in text, f"{name}:\n{text[-3000:]}"
        assert "Traceback" not in text, f"{name}:\n{text[-3000:]}"


def _update_url(kw, contact):
    return reverse("cahps_contact_update", kwargs={**kw, "contact_id": contact.pk})


def _values(contact):
    return {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "phone": contact.phone,
        "email": contact.email,
        "edit_token": contact.edit_token,
    }
