"""Redis stalls, goes down and comes back empty, with ``REDIS_URL`` and the Redis task queue set
[issue 25]: a private ``redis-server``, a private PostgreSQL, the portal under gunicorn with the
production settings (docs/decisions/0011-failure-modes.md).

Sessions are in the database, so nobody is signed out and no cookie is deleted; pages keep
serving; signing in works and its throttles keep counting, in the database's cache table while
Redis cannot be reached, and refuse once the limit is reached (never open); an e-mail queued
meanwhile waits in the outbox and goes out once when Redis is back.
"""

import time

import pyotp
import pytest

from tests.outages.processes import (
    Browser,
    Portal,
    PrivatePostgres,
    PrivateRedis,
    manage,
    portal_environment,
    seed,
)
from tests.tasks.conftest import MailServer

NOT_CORRECT = "The User ID and/or password you entered are not correct."
TOO_MANY = "Too many failed sign-in attempts."


@pytest.fixture(scope="module")
def outage():
    postgres, redis, mail_server, portal = PrivatePostgres(), PrivateRedis(), MailServer(), None
    try:
        postgres.create()
        redis.start()
        mail_server.start()
        env = portal_environment(
            postgres.url,
            REDIS_URL=redis.url,
            TASK_BACKEND="redis",
            TASK_REDIS_URL=redis.url.replace("/0", "/1"),
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(mail_server.port),
            EMAIL_TIMEOUT="5",
            EMAIL_SWEEP_GRACE_SECONDS="0",
        )
        data = seed(env)
        portal = Portal(env)
        portal.start()
        yield redis, portal, mail_server, env, data
    finally:
        if portal is not None:
            portal.stop()
        mail_server.stop()
        redis.remove()
        postgres.remove()


def signed_in(portal, data):
    browser = Browser(portal.url)
    browser.cookies[data["session_cookie"]] = data["session_key"]
    return browser


def assert_signed_in(browser, data, name):
    started = time.monotonic()
    page = browser.get(data["cahps_page"])
    assert page.status == 200, page
    assert f"Signed in as <strong>{name}</strong>" in page.text
    assert data["session_cookie"] not in browser.deleted_cookies
    return time.monotonic() - started


def sign_in_attempt(portal, username, password):
    browser = Browser(portal.url)
    assert browser.get("/accounts/login/").status == 200
    answer = browser.post(
        "/accounts/login/", {"login": username, "password": password, "statement_of_truth": "on"}
    )
    return browser, answer


def test_nobody_is_signed_out_and_sign_in_works_and_is_throttled_while_redis_stalls_or_is_down(outage):
    redis, portal, mail_server, env, data = outage
    official = signed_in(portal, data)
    assert_signed_in(official, data, "Sam Official")

    # A stall: Redis keeps the connections and answers nothing.
    redis.stall()
    try:
        for _ in range(3):
            assert assert_signed_in(official, data, "Sam Official") < 5  # no page waits on Redis
        started = time.monotonic()
        _, wrong = sign_in_attempt(portal, "nobody-here", "wrong-password-1")
        assert wrong.status == 200 and NOT_CORRECT in wrong.text
        assert time.monotonic() - started < 5  # one short socket timeout, then the database
        health = portal_health(portal)
        assert health == {"status": "degraded", "database": "ok", "cache": "down", "queue": "down"}
    finally:
        redis.resume()

    # Down: every connection refused.
    redis.stop()
    assert_signed_in(official, data, "Sam Official")
    colleague, password_step = sign_in_attempt(portal, data["colleague"], data["password"])
    assert password_step.status == 302, password_step
    assert colleague.get("/").headers["Location"].startswith("/accounts/two-factor/")  # the code next
    code_step = colleague.post(
        "/accounts/two-factor/",
        {"device": data["device"], "code": pyotp.TOTP(data["device_secret"]).now(), "action": "verify"},
    )
    assert code_step.status == 302, code_step
    assert_signed_in(colleague, data, "Cory Colleague")

    # The throttle counts in the database meanwhile, and refuses at its limit, right password or not.
    for attempt in range(5):
        _, wrong = sign_in_attempt(portal, data["target"], f"wrong-password-{attempt}")
        assert wrong.status == 200 and NOT_CORRECT in wrong.text, attempt
    _, right = sign_in_attempt(portal, data["target"], data["password"])
    assert right.status == 200 and TOO_MANY in right.text

    # An e-mail asked for meanwhile: queued in the outbox, its task not enqueued.
    reset = Browser(portal.url)
    assert reset.get("/accounts/password/reset/").status == 200
    asked = reset.post("/accounts/password/reset/", {"email": "co@example.com"})
    assert asked.status == 302, asked
    assert portal_health(portal) == {"status": "degraded", "database": "ok", "cache": "down", "queue": "down"}

    # Back, empty (no persistence): still signed in; the e-mail goes out once.
    redis.start()
    assert_signed_in(official, data, "Sam Official")
    assert_signed_in(colleague, data, "Cory Colleague")
    # The scheduler's sweep enqueues it again (EMAIL_SWEEP_GRACE_SECONDS after it was due), a worker sends it.
    assert manage("sweep_outbox", env=env).strip() == "Enqueued 1 e-mail(s) again."
    manage("rqworker", "--burst", "--job-class", "django_tasks_rq.Job", "default", env=env)
    assert mail_server.recipients() == ["co@example.com"]
    assert manage("sweep_outbox", env=env).strip() == "Enqueued 0 e-mail(s) again."  # sent: never again
    assert "Internal Server Error" not in portal.log
    assert wait_for_health(portal) == {"status": "ok", "database": "ok", "cache": "ok", "queue": "ok"}


def portal_health(portal):
    started = time.monotonic()
    answer = Browser(portal.url).get("/healthz")
    assert time.monotonic() - started < 5, "a load balancer's check waits a few seconds at most"
    assert answer.status == 200, answer  # Redis alone never takes the nodes out
    return answer.json()


def wait_for_health(portal):
    """Each gunicorn worker tries Redis again a few seconds after it last failed."""
    deadline = time.monotonic() + 10
    while (health := portal_health(portal))["status"] != "ok" and time.monotonic() < deadline:
        time.sleep(0.5)
    return health
