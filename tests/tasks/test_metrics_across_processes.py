"""With ``PROMETHEUS_MULTIPROC_DIR``, one scrape of any web process adds up every process of the
machine that writes there: gunicorn's workers and the task worker (docs/operations.md). Real
gunicorn with two workers, a real task worker and a real SMTP server, all on loopback."""

import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.mail import EmailMessage
from prometheus_client.parser import text_string_to_metric_families

from qpp_registration.core.background import outbox
from qpp_registration.core.background.models import OutgoingEmail
from tests.outages.processes import Portal
from tests.tasks.conftest import manage, worker_args

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "scrape-test-" + "k" * 40
REQUESTS = 24


def test_one_scrape_adds_up_every_web_process_and_the_task_worker(
    database_tasks, mail_server, process_env, tmp_path
):
    env = {
        **process_env,
        # Production's, with static files from the finders (no collectstatic), on plain HTTP.
        "DJANGO_SETTINGS_MODULE": "tests.outages.settings",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "METRICS_TOKEN": TOKEN,
    }
    mail_server.refusing = True
    mail_server.start()
    outbox.queue_email(EmailMessage("Registration", "Body", to=["ada@example.com"]), kind="test")
    worker = manage(*worker_args(), env=env)
    assert worker.wait(timeout=120) == 0, worker.communicate()[0]
    assert OutgoingEmail.objects.get().attempts == 1  # refused once; retried later

    portal = Portal(env, workers=2)
    portal.start()
    try:
        with ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(lambda _: _get(portal.url + "/eligibility/").status, range(REQUESTS)))
        scraped = _get(portal.url + "/metrics", authorization=f"Bearer {TOKEN}")
        text = scraped.read().decode()
    finally:
        portal.stop()

    assert statuses == [200] * REQUESTS
    assert scraped.status == 200, text
    samples = {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    eligibility = frozenset({"view": "eligibility_checker", "method": "GET", "status": "2xx"}.items())
    assert samples[("qpp_http_request_duration_seconds_count", eligibility)] == REQUESTS
    # Counted in the task worker's process, which had stopped before the scrape.
    assert samples[("qpp_email_delivery_failures_total", frozenset({"outcome": "retry"}.items()))] == 1
    assert samples[("qpp_outbox_emails", frozenset({"status": "queued"}.items()))] == 1


def _get(url, **headers):
    return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=20)  # noqa: S310 - loopback
