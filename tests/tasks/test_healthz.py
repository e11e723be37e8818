"""/healthz for load balancers: database, cache and task queue reachable, nothing else said."""

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
