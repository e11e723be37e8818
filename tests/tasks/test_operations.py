"""Operations: /healthz for load balancers (database, cache and task queue reachable, nothing else
said; tests/outages/ has it with the database or Redis really down), the system check that
refuses an SMTP mailer without a timeout, and the task queue as /metrics reads it on either
backend (tests/test_metrics.py has the rest of /metrics)."""

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_answers_anyone_with_what_is_reachable_and_nothing_else(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "queue": "ok"}
    assert "Set-Cookie" not in response.headers


def test_healthz_reports_an_unreachable_redis_queue_without_taking_the_node_out(client, settings):
    # Every node shares the queue, and e-mails wait in the outbox meanwhile: a 503 would only take
    # every node out of the load balancer (docs/decisions/0011-failure-modes.md).
    from tests.tasks.conftest import use_tasks

    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}
    use_tasks(settings, "django_tasks_rq.RQBackend")
    try:
        response = client.get("/healthz")
    finally:
        use_tasks(settings, "django.tasks.backends.immediate.ImmediateBackend")

    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "ok", "queue": "down"}


def test_an_smtp_mailer_without_a_timeout_fails_the_system_check(settings):
    from django.core import checks

    settings.MAILERS = {
        "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {"host": "x"}}
    }

    assert [error.id for error in checks.run_checks() if error.id.startswith("qpp.")] == ["qpp.E001"]


def test_a_redis_worker_told_to_stop_stops_within_seconds(settings):
    """An RQ worker listens for commands on a pub/sub thread. Stopping it (a deploy, SIGTERM)
    unsubscribes and waits for that thread; the thread must not sit out its 60-second read
    when the unsubscribe reached it first, which is how it lands most of the time."""
    import threading

    import django_rq
    from rq import SimpleWorker

    from tests.tasks.conftest import use_tasks

    use_tasks(settings, "django_tasks_rq.RQBackend")
    try:
        worker = django_rq.get_worker("default", job_class="django_tasks_rq.Job", worker_class=SimpleWorker)
        worker.subscribe()
        listener = worker.pubsub
        waited = threading.Event()
        while not listener.subscribed:
            waited.wait(0.01)
        # The unsubscribe's answer wakes the listening thread before it is told to stop.
        listener.unsubscribe()
        while listener.subscribed:
            waited.wait(0.01)

        stopping = threading.Thread(target=worker.unsubscribe, daemon=True)
        stopping.start()
        stopping.join(timeout=15)

        assert not stopping.is_alive(), "the worker still waited on its pub/sub thread after 15 s"
    finally:
        use_tasks(settings, "django.tasks.backends.immediate.ImmediateBackend")


def test_metrics_read_the_task_queue_of_either_backend(
    client, settings, task_backend, django_capture_on_commit_callbacks
):
    from django.core.mail import EmailMessage
    from prometheus_client.parser import text_string_to_metric_families

    from qpp_registration.core.background import outbox

    settings.QPP_METRICS_TOKEN = "scrape-test-" + "k" * 40
    with django_capture_on_commit_callbacks(execute=True):  # the Redis queue enqueues on commit
        outbox.queue_email(EmailMessage("Registration", "Body", to=["ada@example.com"]), kind="test")

    response = client.get("/metrics", headers={"authorization": f"Bearer {settings.QPP_METRICS_TOKEN}"})

    samples = {
        (sample.name, tuple(sample.labels.values())): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }
    assert samples[("qpp_task_queue_tasks", ("waiting",))] == 1
    assert samples[("qpp_task_queue_oldest_waiting_age_seconds", ())] >= 0
    assert samples[("qpp_outbox_emails", ("queued",))] == 1
