"""Staff's pages of background work: failed e-mail with its error and *Retry*, and the queue."""

import pytest
from django.core.mail import EmailMessage
from django.db import transaction

from qpp_registration.core.background import outbox
from qpp_registration.core.background.models import OutgoingEmail
from tests.admin.conftest import action, messages_of

pytestmark = pytest.mark.django_db

FAILED_LIST = "/admin/qpp_registration/outgoingemail/?status=failed"
QUEUE = "/admin/qpp_registration/outgoingemail/queue/"


@pytest.fixture
def failed_email(db):
    with transaction.atomic():
        outbox.queue_email(EmailMessage("Registration 2021", "Body", to=["ada@example.com"]), kind="test")
    OutgoingEmail.objects.update(
        status="failed", attempts=8, last_error="SMTPServerDisconnected: Connection unexpectedly closed"
    )
    return OutgoingEmail.objects.get()


def test_staff_see_failed_email_with_its_error(staff_client, help_desk_agent, failed_email):
    page = staff_client(help_desk_agent).get(FAILED_LIST).content.decode()

    assert "ada@example.com" in page
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in page
    assert "Retry the selected failed e-mails" not in page  # help desk may look, not retry


def test_a_registration_admin_retries_a_failed_email(
    staff_client, registration_admin, failed_email, mailoutbox, django_capture_on_commit_callbacks
):
    client = staff_client(registration_admin)
    assert "Retry the selected failed e-mails" in client.get(FAILED_LIST).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FAILED_LIST, action("retry", failed_email), follow=True)

    assert "Queued 1 failed e-mail(s) to be sent again." in messages_of(response)
    assert [m.to for m in mailoutbox] == [["ada@example.com"]]
    assert OutgoingEmail.objects.get().status == "sent"


def test_the_help_desk_finds_the_emails_of_a_request_by_its_id(staff_client, help_desk_agent, failed_email):
    OutgoingEmail.objects.update(request_id="lb-7f3a91")
    client = staff_client(help_desk_agent)

    found = client.get(FAILED_LIST + "&q=lb-7f3a91").content.decode()
    other = client.get(FAILED_LIST + "&q=lb-7f3a9").content.decode()

    assert "ada@example.com" in found
    assert "ada@example.com" not in other  # the whole id, not a part of it


def test_the_queue_page_shows_depth_oldest_waiting_and_failures(staff_client, help_desk_agent, failed_email):
    page = staff_client(help_desk_agent).get(QUEUE).content.decode()

    assert "Waiting to run now (queue depth)" in page
    assert "Oldest waiting task queued" in page
    assert "Failed: shown with their error, can be retried" in page


def test_people_without_a_staff_role_see_no_queue(client, sign_in, security_official):
    response = sign_in(security_official).get(QUEUE)

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
