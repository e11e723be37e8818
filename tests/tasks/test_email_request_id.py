"""The worker's lines about an e-mail carry the id of the request that queued it, so an operator
follows one request from the click to the mail server (docs/operations.md). A real worker
process, with production's JSON lines, sends to a real SMTP server on loopback."""

import json

import pytest
from django.urls import reverse

from qpp_registration.core.background.models import OutgoingEmail
from tests.tasks.conftest import manage, worker_args

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_workers_line_for_an_email_carries_the_id_of_the_request_that_queued_it(
    client, invitee, database_tasks, mail_server, process_env
):
    mail_server.start()

    response = client.post(
        reverse("account_reset_password"), {"email": invitee.email}, headers={"x-request-id": "lb-7f3a91"}
    )
    worker = manage(*worker_args(), env=process_env)
    output = worker.communicate(timeout=120)[0]

    assert response["X-Request-ID"] == "lb-7f3a91"
    assert worker.returncode == 0, output
    assert [message["To"] for message in mail_server.received] == [invitee.email]
    email = OutgoingEmail.objects.get()
    assert (email.status, email.request_id) == ("sent", "lb-7f3a91")
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    (sent,) = [
        line for line in lines if line["message"] == f"E-mail {email.kind} #{email.pk} sent (attempt 1)"
    ]
    assert (sent["logger"], sent["level"], sent["request_id"]) == ("qpp.emails", "INFO", "lb-7f3a91")
