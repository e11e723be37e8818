"""Operations: /healthz for load balancers (database, cache and task queue reachable, nothing else
said) and the system check that refuses an SMTP mailer without a timeout."""

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_answers_anyone_with_what_is_reachable_and_nothing_else(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "queue": "ok"}
    assert "Set-Cookie" not in response.headers


def test_healthz_reports_503_when_the_queue_is_unreachable(client, settings):
    from tests.tasks.conftest import use_tasks

    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}
    use_tasks(settings, "django_tasks_rq.RQBackend")
    try:
        response = client.get("/healthz")
    finally:
        use_tasks(settings, "django.tasks.backends.immediate.ImmediateBackend")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "cache": "ok",
        "queue": "unavailable",
    }


def test_an_smtp_mailer_without_a_timeout_fails_the_system_check(settings):
    from django.core import checks

    settings.MAILERS = {
        "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {"host": "x"}}
    }

    assert [error.id for error in checks.run_checks() if error.id.startswith("qpp.")] == ["qpp.E001"]
