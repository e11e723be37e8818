"""What operators read in the logs (docs/operations.md): one id per request on every line written
while it runs and on its answer (``X-Request-ID``), and a line for each slow request.

The id reaching the worker's lines for an e-mail the request queued is in
tests/tasks/test_email_request_id.py.
"""

import logging
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def wrong_password(client, outsider):
    def post(**headers):
        data = {"login": outsider.username, "password": "not-the-password-1", "statement_of_truth": "on"}
        return client.post(reverse("account_login"), data, headers=headers)

    return post


def test_every_line_written_during_a_request_carries_its_id_which_the_answer_names(
    client, wrong_password, production_log, settings
):
    settings.QPP_SLOW_REQUEST_SECONDS = 0  # one more line, from a middleware this time

    response = wrong_password()
    not_found = client.get("/no-such-page/")
    logging.getLogger("qpp.test").warning("between requests")

    request_id = response["X-Request-ID"]
    assert GENERATED.fullmatch(request_id)
    assert not_found["X-Request-ID"] != request_id
    lines = production_log()
    by_request = {}
    for line in lines:
        by_request.setdefault(line["request_id"], []).append((line["logger"], line["message"]))
    assert ("qpp.security", "password refused user=outsider ip=127.0.0.1") in by_request[request_id]
    assert any(logger == "qpp.requests" for logger, _ in by_request[request_id])
    # Django writes "Not Found" once the middleware is done: still under the request's id.
    assert ("django.request", "Not Found: /no-such-page/") in by_request[not_found["X-Request-ID"]]
    assert by_request[None] == [("qpp.test", "between requests")]


def test_the_load_balancers_id_is_kept(wrong_password, production_log):
    response = wrong_password(x_request_id="haproxy-5f3a.0001_b")

    assert response["X-Request-ID"] == "haproxy-5f3a.0001_b"
    assert {line["request_id"] for line in production_log()} == {"haproxy-5f3a.0001_b"}


@pytest.mark.parametrize(
    "hostile",
    [
        "abc\r\nX-Injected: 1",
        'abc" "level": "CRITICAL',
        "<script>alert(1)</script>",
        "a" * 65,
        "café",
        "",
    ],
    ids=["new-line", "quote", "markup", "too-long", "not-ascii", "empty"],
)
def test_a_hostile_or_empty_id_is_replaced_with_one_of_ours(wrong_password, production_log, hostile):
    response = wrong_password(x_request_id=hostile)

    request_id = response["X-Request-ID"]
    assert GENERATED.fullmatch(request_id)
    assert {line["request_id"] for line in production_log()} == {request_id}


def test_a_slow_request_is_logged_with_its_view_status_and_time_but_no_query_values(
    client, production_log, settings
):
    settings.QPP_SLOW_REQUEST_SECONDS = 0

    response = client.get(reverse("eligibility_checker"), {"kind": "practice", "name": "Jane Roe"})

    (line,) = [line for line in production_log() if line["logger"] == "qpp.requests"]
    assert line["level"] == "WARNING"
    assert line["request_id"] == response["X-Request-ID"]
    assert {key: line[key] for key in ("method", "path", "status_code", "view")} == {
        "method": "GET",
        "path": "/eligibility/?kind&name",
        "status_code": response.status_code,
        "view": "eligibility_checker",
    }
    assert line["duration_seconds"] >= 0
    assert line["message"].startswith(
        f"Slow request: GET /eligibility/?kind&name answered {response.status_code} in "
    )
    assert "Jane" not in str(line) and "practice" not in str(line)


def test_a_request_quicker_than_the_threshold_writes_no_line(client, production_log, settings):
    settings.QPP_SLOW_REQUEST_SECONDS = 30

    client.get(reverse("eligibility_checker"))

    assert [line for line in production_log() if line["logger"] == "qpp.requests"] == []
