"""/metrics for the operators (docs/operations.md): off unless a token or a network is configured,
read only with the token or from that network, without a session; request latency per view, the
queue and the outbox as they are, refused sign-ins and failed e-mail attempts."""

import ipaddress

import pytest
from django.core.mail import EmailMessage
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from qpp_registration.core.background import outbox

pytestmark = pytest.mark.django_db

TOKEN = "operators-only-" + "7" * 32
ANONYMOUS_HOME = {"view": "home", "method": "GET", "status": "2xx"}


@pytest.fixture
def metrics_on(settings):
    settings.QPP_METRICS_TOKEN = TOKEN
    settings.QPP_METRICS_ALLOWED_NETWORKS = []


def scrape(client, **headers):
    return client.get("/metrics", headers={"authorization": f"Bearer {TOKEN}", **headers})


def samples(response):
    """``{(name, frozenset(labels)): value}`` of every sample the scrape gave."""
    text = response.content.decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(response, name, **labels):
    return samples(response).get((name, frozenset(labels.items())))


def test_switched_off_it_is_the_ordinary_not_found(client, settings):
    settings.QPP_METRICS_TOKEN = None
    settings.QPP_METRICS_ALLOWED_NETWORKS = []

    response = client.get("/metrics", headers={"authorization": "Bearer anything"})

    assert response.status_code == 404
    assert b"qpp_" not in response.content


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer "],
    ids=["none", "wrong", "not-bearer", "longer", "empty"],
)
def test_without_the_token_it_is_forbidden(client, metrics_on, authorization):
    headers = {"authorization": authorization} if authorization else {}

    response = client.get("/metrics", headers=headers)

    assert response.status_code == 403
    assert b"qpp_" not in response.content


def test_with_the_token_it_gives_every_metric_without_touching_a_session(client, metrics_on, outsider):
    client.force_login(outsider)  # a browser with a session cookie: the scrape must not read it

    response = scrape(client)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Cookie" not in response.get("Vary", "")  # the session was never looked at
    assert "Set-Cookie" not in response.headers
    names = {family.name for family in text_string_to_metric_families(response.content.decode())}
    assert {
        "qpp_http_request_duration_seconds",
        "qpp_task_queue_tasks",
        "qpp_task_queue_oldest_waiting_age_seconds",
        "qpp_outbox_emails",
        "qpp_outbox_oldest_queued_age_seconds",
        "qpp_outbox_emails_sent_last_day",
        "qpp_email_delivery_failures",
        "qpp_sign_in_failures",
    } <= names


def test_from_an_allowed_network_no_token_is_needed_unless_through_a_proxy(client, settings):
    settings.QPP_METRICS_TOKEN = None
    settings.QPP_METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.0.8.0/24")]

    inside = client.get("/metrics", REMOTE_ADDR="10.0.8.20")
    inside_over_ipv6 = client.get("/metrics", REMOTE_ADDR="::ffff:10.0.8.20")
    outside = client.get("/metrics", REMOTE_ADDR="10.0.9.20")
    # Through the load balancer every request has its address: only the token would do.
    proxied = client.get("/metrics", REMOTE_ADDR="10.0.8.1", headers={"x-forwarded-for": "203.0.113.9"})

    assert [answer.status_code for answer in (inside, inside_over_ipv6, outside, proxied)] == [
        200,
        200,
        403,
        403,
    ]


def test_latency_is_observed_per_view_method_and_status_class_never_per_path(client, metrics_on, practice):
    before = value(scrape(client), "qpp_http_request_duration_seconds_count", **ANONYMOUS_HOME) or 0

    client.get(reverse("home"))
    client.get(reverse("home"), {"q": "a-value-nobody-sent-before"})
    client.get(f"/registration/2021/{practice.pk}/")  # a page that sends the visitor to Sign In
    after = scrape(client)

    assert value(after, "qpp_http_request_duration_seconds_count", **ANONYMOUS_HOME) == before + 2
    assert value(after, "qpp_http_request_duration_seconds_bucket", **ANONYMOUS_HOME, le="+Inf") == before + 2
    assert "a-value-nobody-sent-before" not in after.content.decode()
    views = {dict(labels)["view"] for name, labels in samples(after) if name.startswith("qpp_http_request")}
    assert "/" not in "".join(views)


def test_the_outbox_gauges_read_the_queued_emails_at_the_scrape(client, metrics_on):
    empty = scrape(client)
    # Queued in this test's transaction, which never commits: no task runs, the rows wait.
    for address in ("ada@example.com", "bo@example.com", "cy@example.com"):
        outbox.queue_email(EmailMessage("Registration", "Body", to=[address]), kind="test")

    queued = scrape(client)

    assert value(empty, "qpp_outbox_emails", status="queued") == 0
    assert value(empty, "qpp_outbox_oldest_queued_age_seconds") == 0
    assert value(queued, "qpp_outbox_emails", status="queued") == 3
    assert value(queued, "qpp_outbox_emails", status="failed") == 0
    assert value(queued, "qpp_outbox_oldest_queued_age_seconds") >= 0


def test_a_wrong_password_counts_as_a_sign_in_failure(client, metrics_on, outsider):
    before = value(scrape(client), "qpp_sign_in_failures_total")

    client.post(
        reverse("account_login"),
        {"login": outsider.username, "password": "not-the-password-1", "statement_of_truth": "on"},
    )

    assert value(scrape(client), "qpp_sign_in_failures_total") == before + 1


def test_an_email_the_mail_server_did_not_take_counts_as_a_delivery_failure(client, metrics_on, settings):
    from qpp_registration.core.background.models import OutgoingEmail

    settings.MAILERS = {  # nothing listens on port 1: the connection is refused
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},
        }
    }
    outbox.queue_email(EmailMessage("Registration", "Body", to=["ada@example.com"]), kind="test")
    before = value(scrape(client), "qpp_email_delivery_failures_total", outcome="retry")

    assert outbox.deliver(OutgoingEmail.objects.get().pk) == outbox.Outcome.RETRY

    assert value(scrape(client), "qpp_email_delivery_failures_total", outcome="retry") == before + 1


def test_a_short_token_or_a_network_of_everyone_fails_the_deploy_check(settings):
    from django.core import checks

    settings.QPP_METRICS_TOKEN = "metrics"
    settings.QPP_METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("0.0.0.0/0")]

    found = checks.run_checks(include_deployment_checks=True)

    assert [error.id for error in found if error.id.startswith("qpp.")] == ["qpp.W001", "qpp.W002"]


def test_with_the_queue_unreadable_the_scrape_still_gives_the_counters(
    client, metrics_on, monkeypatch, caplog
):
    from django.db import OperationalError

    from qpp_registration.core.background import queue

    def unreachable():
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(queue, "state", unreachable)

    response = scrape(client)

    names = {family.name for family in text_string_to_metric_families(response.content.decode())}
    assert response.status_code == 200
    assert "qpp_sign_in_failures" in names and "qpp_outbox_emails" not in names
    assert "Could not read the queue for /metrics." in caplog.text
