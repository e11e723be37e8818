"""The writes of the closing minute run a fixed, small number of statements.

The 2020 flow's three buttons (*Register* with a size, *Add contact*, *Register*) are most of
the database's work when every Security Official registers at once (bench/surge.py). Each is
one workflow or service: one savepoint (``core.transactions``), the user's Security Official
role read once per request (``organizations.authorization``), the contacts read only when a
rule or an e-mail needs them. The numbers are pinned so that a change to them is deliberate."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import Contact
from organizations.authorization import is_security_official
from organizations.models import Role
from registrations.models import ProgramStatus, Registration, Size
from tests.test_list_queries import NOT_COUNTED

pytestmark = pytest.mark.django_db


def _url(name, practice, **kwargs):
    return reverse(name, kwargs={"year": 2021, "organization_id": practice.pk, **kwargs})


def _post(client, url, data):
    """The answer and the statements besides the session's: (all, savepoints)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data)
    statements = [query["sql"] for query in queries.captured_queries]
    # Up to the request's COMMIT: after it, the test settings' immediate task backend delivers
    # the e-mail in this process, as the worker would in its own.
    statements = statements[: statements.index("COMMIT") + 1]
    savepoints = sum(1 for sql in statements if sql.startswith("SAVEPOINT"))
    counted = sum(1 for sql in statements if not any(text in sql for text in NOT_COUNTED))
    return response, counted, savepoints


def _submission_key(response):
    """The add form's one-time key (``core.submission_keys``), as a browser sends it back."""
    return re.search(r'name="submission_key" value="([0-9a-f]{32})"', response.content.decode()).group(1)


CONTACT = {
    "first_name": "Dana",
    "last_name": "Sullivan",
    "email": "dana@example.com",
    "phone": "410-555-0142",
}


# As in production, each request its own transaction (not a savepoint of the test's).
@pytest.mark.django_db(transaction=True)
def test_the_2020_flows_three_writes_each_take_one_savepoint_and_a_pinned_number_of_statements(
    sign_in, security_official, practice, window_open_2021
):
    client = sign_in(security_official)

    # Each count has the user and the account's security stamp (every signed-in request's),
    # BEGIN and COMMIT. Before one savepoint per workflow, the role read once and a registration
    # started with its size, Register with a size took 17 and three savepoints.

    # Register with a size: the year, the organization (through the role), the page's read of
    # the registration; then no registration to lock, so the organization locked and the
    # registration looked for again under that lock, and inserted with its size and its one
    # history row ("… started … with organization size …").
    response, counted, savepoints = _post(
        client,
        _url("registration_start", practice),
        {f"org-{practice.pk}-size": Size.MEDIUM, f"org-{practice.pk}-program": "web_interface"},
    )
    assert response.status_code == 302
    registration = Registration.objects.get(organization=practice)
    assert registration.size == Size.MEDIUM
    assert [entry.history_change_reason for entry in registration.history.all()] == [
        f"Registration started for performance year 2021 with organization size {Size.MEDIUM.label}"
    ]
    assert (counted, savepoints) == (12, 1)

    # Add contact: the year, the organization with whether it has a contact; the registration
    # locked with its organization (and not read again under the lock the workflow holds), the
    # key looked up, the contact and its history row. Nobody is told (not registered yet), so
    # the contacts are not read.
    add = _url("registration_contact_add", practice) + "?return_to=submit-web-interface"
    key = _submission_key(client.get(add))
    response, counted, savepoints = _post(client, add, {**CONTACT, "submission_key": key})
    assert response.status_code == 302
    assert Contact.objects.filter(registration__organization=practice).count() == 1
    assert (counted, savepoints) == (10, 1)

    # Register: the year, the organization, the page's registration and contacts; the
    # registration locked with its organization, the contacts, the registration and its history
    # row and the confirmation e-mail's outbox row (and, with the database task backend, its
    # delivery task).
    response, counted, savepoints = _post(
        client, _url("registration_submit", practice, program="web-interface"), {}
    )
    assert response.status_code == 302
    assert Registration.objects.get(organization=practice).web_interface_status == ProgramStatus.REGISTERED
    assert (counted, savepoints) == (13, 1)


def test_a_refused_first_contact_leaves_no_registration_behind_and_the_page_explains(
    sign_in, security_official, practice, window_open_2021
):
    # The workflow starts the registration, then the contact is refused: its one savepoint
    # takes both back, and the request's transaction still draws the page with the error.
    client = sign_in(security_official)
    add = _url("registration_contact_add", practice)
    key = _submission_key(client.get(add))

    response = client.post(add, {**CONTACT, "email": "not an address", "submission_key": key})

    assert response.status_code == 200
    assert "Enter an e-mail address like name@example.com." in response.content.decode()
    assert not Registration.objects.exists()
    assert not Contact.objects.exists()
    assert mail.outbox == []


def test_the_security_official_role_is_read_once_per_user_object_and_afresh_by_the_next_request(
    sign_in, security_official, practice, window_open_2021, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert is_security_official(security_official, practice)
        assert is_security_official(security_official, practice)

    # Removed by someone else: the next request (a new user object) is refused.
    Role.objects.filter(user=security_official, organization=practice).delete()
    response = sign_in(security_official).post(
        _url("registration_start", practice),
        {f"org-{practice.pk}-size": Size.MEDIUM, f"org-{practice.pk}-program": "web_interface"},
    )
    assert response.status_code == 404
    assert not Registration.objects.exists()
