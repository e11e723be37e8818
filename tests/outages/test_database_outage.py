"""PostgreSQL goes away under load and comes back [issue 25]: a private cluster, the portal under
gunicorn with the production settings, two Security Officials' auto-saves writing all along.

While the database is down every request gets the designed 503 with ``Retry-After``, never a
500: signed-in pages, the anonymous Sign In and Check eligibility, ``/healthz`` (JSON naming the
database) and the auto-save (JSON, which its script retries). A form sent meanwhile comes back
on the 503 page, ready to send again, passwords excepted. When the database returns, the next
request succeeds with no restart, and every write is there once or not at all.
"""

import re
import threading
import time

import pytest

from tests.outages.processes import Browser, Portal, PrivatePostgres, portal_environment, seed

JSON = {"Accept": "application/json"}
PAGE_TEXT = "The portal is briefly unavailable"


@pytest.fixture(scope="module")
def outage():
    """The private cluster, migrated and seeded, and the portal serving from it."""
    postgres = PrivatePostgres()
    portal = None
    try:
        postgres.create()
        env = portal_environment(postgres.url)
        data = seed(env)
        portal = Portal(env)
        portal.start()
        yield postgres, portal, data
    finally:
        if portal is not None:
            portal.stop()
        postgres.remove()


def signed_in(portal, data):
    browser = Browser(portal.url)
    browser.cookies[data["session_cookie"]] = data["session_key"]
    assert browser.get(data["cahps_page"]).status == 200  # and its CSRF cookie
    return browser


def assert_unavailable_page(answer):
    assert answer.status == 503, answer
    assert answer.headers["Retry-After"] == "60"
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "no-store" in answer.headers["Cache-Control"]
    assert "Content-Security-Policy" in answer.headers
    assert PAGE_TEXT in answer.text
    assert "Nothing you submitted was lost or half-saved. Try again in a minute." in answer.text
    assert "Signed in as" not in answer.text  # drawn without the session


def assert_unavailable_json(answer):
    assert answer.status == 503, answer
    assert answer.headers["Retry-After"] == "60"
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json()["database"] == "down"


def hidden_fields(answer):
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', answer.text))


class AutoSaver(threading.Thread):
    """A Security Official's auto-save adding contacts, one name each, as fast as answered."""

    def __init__(self, portal, data, prefix):
        super().__init__(daemon=True)
        self.browser = signed_in(portal, data)
        self.url = data["cahps_page"] + "contacts/new/"
        self.prefix = prefix
        self.answers = []  # (name, status, saved, when)
        self.failures = []
        self.halt = threading.Event()

    def run(self):
        number = 0
        while not self.halt.is_set():
            number += 1
            name = f"{self.prefix}{number:04d}"
            fields = {"first_name": name, "last_name": "", "phone": "", "email": ""}
            try:
                answer = self.browser.post(self.url, fields, headers=JSON)
            except OSError as error:  # the portal itself must always answer
                self.failures.append(f"{name}: {error!r}")
                continue
            if answer.status == 503:
                assert_unavailable_json(answer)
            saved = answer.status == 200 and answer.json()["saved"] is True
            self.answers.append((name, answer.status, saved, time.monotonic()))
            time.sleep(0.05)


def test_while_the_database_is_down_every_request_gets_the_503_and_the_next_one_after_succeeds(outage):
    postgres, portal, data = outage
    official = signed_in(portal, data)
    anonymous = Browser(portal.url)
    assert anonymous.get("/accounts/login/").status == 200  # its CSRF cookie, as a browser would have
    savers = [AutoSaver(portal, data, "Ada"), AutoSaver(portal, data, "Bob")]
    for saver in savers:
        saver.start()
    try:
        time.sleep(1.5)
        postgres.stop()  # under load: requests are in flight
        stopped_at = time.monotonic()

        # Signed-in: the session and the user are read in the middleware, before any view.
        assert_unavailable_page(official.get(data["cahps_page"]))
        assert_unavailable_json(official.get("/healthz"))
        # Anonymous: the request's transaction opens the connection before the view.
        assert_unavailable_page(anonymous.get("/accounts/login/"))
        assert_unavailable_page(anonymous.get("/eligibility/?year=2026"))
        health = anonymous.get("/healthz")
        assert_unavailable_json(health)
        # Its own checks ran: the cache and the task queue are in the database too.
        assert health.json() == {
            "status": "unavailable",
            "database": "down",
            "cache": "down",
            "queue": "down",
        }

        # A form sent meanwhile comes back, ready to send again; the password is never sent back.
        sign_in = anonymous.post(
            "/accounts/login/?next=/registration/",
            {"login": "so-user", "password": "Secret-typed-1", "statement_of_truth": "on"},
        )
        assert_unavailable_page(sign_in)
        assert hidden_fields(sign_in) == {
            "csrfmiddlewaretoken": anonymous.cookies["csrftoken"],
            "login": "so-user",
            "statement_of_truth": "on",
        }
        assert 'action="/accounts/login/?next=/registration/"' in sign_in.text
        assert "Secret-typed-1" not in sign_in.text
        assert "except your password" in sign_in.text
        size = official.post(data["cahps_page"] + "size/", {"size": "medium"})
        assert_unavailable_page(size)
        assert hidden_fields(size)["size"] == "medium"

        assert_unavailable_json(official.post(data["cahps_page"] + "size/", {"size": "medium"}, headers=JSON))
        time.sleep(max(0.0, 3 - (time.monotonic() - stopped_at)))  # a few seconds of saves refused
        postgres.start()
        started_at = time.monotonic()

        # The next request succeeds: no restart, broken connections replaced.
        page = official.get(data["cahps_page"])
        assert page.status == 200, page
        assert "Signed in as" in page.text
        assert anonymous.get("/accounts/login/").status == 200
        assert anonymous.get("/healthz").json() == {
            "status": "ok",
            "database": "ok",
            "cache": "ok",
            "queue": "ok",
        }
        resent = anonymous.post("/accounts/login/?next=/registration/", hidden_fields(sign_in))
        assert resent.status == 200  # the Sign In page again, the User ID kept, the password asked for
        assert "Enter your password." in resent.text
        assert 'value="so-user"' in resent.text

        deadline = time.monotonic() + 20
        while not all(any(saved and when > started_at for _, _, saved, when in s.answers) for s in savers):
            assert time.monotonic() < deadline, (
                "the auto-saves did not succeed again after the database returned"
            )
            time.sleep(0.1)
    finally:
        for saver in savers:
            saver.halt.set()
        for saver in savers:
            saver.join(timeout=30)
        if not postgres_answers(postgres):
            postgres.start()

    answers = [answer for saver in savers for answer in saver.answers]
    assert [saver.failures for saver in savers] == [[], []], portal.log
    assert {status for _, status, _, _ in answers} == {200, 503}, "no other answer, no 500"
    assert "Internal Server Error" not in portal.log

    # All or nothing: each contact with its "Contact added" history row, and nothing else.
    rows = postgres.sql(
        "qpp",
        "SELECT first_name, count(*) FROM contacts_contact WHERE registration_id = %s GROUP BY first_name",
        [data["registration"]],
    )
    contacts = dict(rows)
    history = dict(
        postgres.sql(
            "qpp",
            "SELECT first_name, count(*) FROM contacts_historicalcontact"
            " WHERE registration_id = %s AND history_type = '+' GROUP BY first_name",
            [data["registration"]],
        )
    )
    assert history == contacts
    saved = [name for name, _, was_saved, _ in answers if was_saved]
    refused = [name for name, status, _, _ in answers if status == 503]
    assert saved and refused
    assert all(contacts.get(name) == 1 for name in saved), "every save answered as saved is there once"
    # A save whose commit reached the server just before it stopped may be answered 503; it is
    # there whole or not at all, and never twice.
    assert all(contacts.get(name, 0) <= 1 for name in refused)
    assert set(contacts) <= set(saved) | set(refused)


def test_connections_broken_while_idle_are_replaced_on_the_next_request(outage):
    """Both gunicorn workers keep their connection between requests (CONN_MAX_AGE); the database
    restarting between two requests breaks them, and the health check replaces them."""
    postgres, portal, data = outage
    official = signed_in(portal, data)
    for _ in range(6):
        assert official.get(data["cahps_page"]).status == 200
    postgres.stop(mode="fast")
    postgres.start()

    statuses = [official.get(data["cahps_page"]).status for _ in range(6)]

    assert statuses == [200] * 6


def postgres_answers(postgres):
    try:
        postgres.sql("postgres", "SELECT 1")
    except Exception:
        return False
    return True
