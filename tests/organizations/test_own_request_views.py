"""After Request Access the requester sees who can approve (by role), how long the request has
waited, and can withdraw it; a Security Official sees requests on Home and confirms an approval."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from organizations.models import Role, RoleRequest
from organizations.services import role_request_approve
from tests.factories import OrganizationFactory, RoleFactory, RoleRequestFactory, UserFactory
from tests.organizations.test_connect import SEARCH

pytestmark = pytest.mark.django_db


def _text(response):
    return " ".join(response.content.decode().split())


@pytest.fixture
def waiting(practice, outsider, time_machine):
    time_machine.move_to(timezone.now() - timedelta(days=3, hours=2), tick=False)
    role_request = RoleRequestFactory(organization=practice, user=outsider, role=Role.Kind.STAFF_USER)
    time_machine.move_to(timezone.now() + timedelta(days=3, hours=2), tick=False)
    return role_request


def test_the_requester_sees_the_approvers_by_role_and_the_waiting_time(
    client, sign_in, waiting, security_official
):
    sign_in(waiting.user)

    page = _text(client.get(reverse("own_role_request", args=[waiting.pk])))

    assert "waiting 3 days, 2 hours" in page
    assert "The organization’s Security Officials" in page
    # Never who they are.
    assert security_official.username not in page and security_official.email not in page
    assert "Sam" not in page


def test_without_a_security_official_the_service_center_approves(client, sign_in, waiting):
    sign_in(waiting.user)

    assert "The QPP Service Center" in _text(client.get(reverse("own_role_request", args=[waiting.pk])))


def test_manage_access_links_the_request_with_its_waiting_time(client, sign_in, waiting, security_official):
    sign_in(waiting.user)

    page = _text(client.get(reverse("manage_access")))

    assert reverse("own_role_request", args=[waiting.pk]) in page
    assert "waiting 3 days, 2 hours" in page
    assert "for the organization’s Security Officials" in page


def test_withdraw_asks_first_then_withdraws(client, sign_in, waiting):
    sign_in(waiting.user)
    url = reverse("role_request_withdraw", args=[waiting.pk])

    page = _text(client.get(url))
    assert (
        "Do you want to withdraw your request for the Staff User role for Chesapeake Family Medicine?" in page
    )
    waiting.refresh_from_db()
    assert waiting.status == RoleRequest.Status.PENDING

    response = client.post(url)

    assert response.url == reverse("manage_access")
    waiting.refresh_from_db()
    assert waiting.status == RoleRequest.Status.WITHDRAWN
    assert "— withdrawn on" in _text(client.get(reverse("manage_access")))


@pytest.mark.parametrize("who", ["security_official", "staff_user", "staff_reviewer", "stranger"])
def test_nobody_sees_or_withdraws_someone_elses_request(client, sign_in, waiting, who, request):
    user = UserFactory(username="stranger") if who == "stranger" else request.getfixturevalue(who)
    sign_in(user)

    assert client.get(reverse("own_role_request", args=[waiting.pk])).status_code == 404
    assert client.get(reverse("role_request_withdraw", args=[waiting.pk])).status_code == 404
    assert client.post(reverse("role_request_withdraw", args=[waiting.pk])).status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == RoleRequest.Status.PENDING


@pytest.mark.parametrize("who", ["requester", "staff_user", "official_elsewhere", "stranger"])
def test_only_a_security_official_of_that_organization_approves(
    client, sign_in, waiting, security_official, who, request
):
    if who == "requester":
        user = waiting.user
    elif who == "official_elsewhere":
        user = RoleFactory(kind=Role.Kind.SECURITY_OFFICIAL, organization=OrganizationFactory()).user
    elif who == "stranger":
        user = UserFactory(username="stranger")
    else:
        user = request.getfixturevalue(who)
    sign_in(user)
    url = reverse("role_request_approve", args=[waiting.pk])

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == RoleRequest.Status.PENDING
    assert not Role.objects.filter(user=waiting.user).exists()


def test_home_shows_a_security_official_the_requests_to_decide(client, sign_in, waiting, security_official):
    sign_in(security_official)

    page = _text(client.get(reverse("home")))

    assert "Requests waiting for your approval" in page
    assert f'href="{reverse("role_request_approve", args=[waiting.pk])}"' in page
    assert "(waiting 3 days, 2 hours)" in page


def test_home_shows_others_no_requests(client, sign_in, waiting, staff_user):
    sign_in(staff_user)

    assert "Requests waiting for your approval" not in _text(client.get(reverse("home")))


def test_approving_from_the_confirmation_page(client, sign_in, waiting, security_official):
    sign_in(security_official)
    url = reverse("role_request_approve", args=[waiting.pk])

    assert "Approve request" in _text(client.get(url))
    assert not Role.objects.filter(user=waiting.user).exists()
    client.post(url)

    assert Role.objects.get(user=waiting.user).kind == Role.Kind.STAFF_USER


def test_home_query_count_stays_fixed(client, sign_in, security_official, django_assert_max_num_queries):
    for _ in range(6):
        organization = OrganizationFactory()
        RoleFactory(user=security_official, organization=organization, kind=Role.Kind.SECURITY_OFFICIAL)
        RoleRequestFactory(organization=organization)
    sign_in(security_official)
    client.get(reverse("home"))
    # More than Home shows of each list: the first five are read, and the rest counted.
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("home"))
    for _ in range(6):
        organization = OrganizationFactory()
        RoleFactory(user=security_official, organization=organization, kind=Role.Kind.SECURITY_OFFICIAL)
        RoleRequestFactory(organization=organization)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("home"))


def test_a_request_decided_meanwhile_is_not_withdrawn_and_says_why(
    client, sign_in, waiting, security_official
):
    sign_in(waiting.user)
    client.get(reverse("role_request_withdraw", args=[waiting.pk]))
    role_request_approve(role_request=waiting, by=security_official)

    page = _text(client.post(reverse("role_request_withdraw", args=[waiting.pk])))

    assert "The request was not withdrawn" in page
    assert "This request was already approved: it cannot be withdrawn any more." in page
    waiting.refresh_from_db()
    assert waiting.status == RoleRequest.Status.APPROVED


def test_the_acknowledgement_email_says_who_approves_and_links_the_request(
    client, sign_in, outsider, security_official, practice, django_capture_on_commit_callbacks
):
    sign_in(outsider)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("connect_organization"), {**SEARCH, "role": "staff_user", "action": "request"})

    [ack] = [m for m in mail.outbox if m.to == [outsider.email]]
    request_page = reverse("own_role_request", args=[RoleRequest.objects.get(user=outsider).pk])
    assert ack.subject == "We received your request for the Staff User role for Chesapeake Family Medicine"
    assert "Who can approve it: the organization’s Security Officials." in ack.body
    assert request_page in ack.body
    assert security_official.email not in ack.body and "Sam" not in ack.body


# --- A withdrawn request stays on the approvers' list for a day [issue 29 #4] ---------------------------


@pytest.fixture
def withdrawn(client, sign_in, waiting):
    """``waiting``, withdrawn by its requester from the confirmation page just now."""
    sign_in(waiting.user)
    client.post(reverse("role_request_withdraw", args=[waiting.pk]))
    client.logout()
    waiting.refresh_from_db()
    assert waiting.status == RoleRequest.Status.WITHDRAWN
    return waiting


@pytest.mark.parametrize("page", ["home", "manage_access"])
def test_a_withdrawn_request_shows_as_withdrawn_without_decision_buttons_for_a_day(
    client, sign_in, withdrawn, security_official, time_machine, page
):
    time_machine.shift(timedelta(hours=23, minutes=59))
    sign_in(security_official)

    text = _text(client.get(reverse(page)))

    assert "Withdrawn by the requester" in text
    assert "Oscar Outside (User ID outsider)" in text
    assert reverse("role_request_approve", args=[withdrawn.pk]) not in text
    assert reverse("role_request_reject", args=[withdrawn.pk]) not in text

    time_machine.shift(timedelta(minutes=1, seconds=1))
    sign_in(security_official)  # a new sign-in: the first has idled out
    text = _text(client.get(reverse(page)))

    assert "Withdrawn by the requester" not in text
    assert "Oscar Outside" not in text


def test_a_withdrawn_request_is_listed_beside_the_ones_still_waiting(
    client, sign_in, withdrawn, security_official, practice
):
    still_waiting = RoleRequestFactory(organization=practice, role=Role.Kind.STAFF_USER)
    sign_in(security_official)

    text = _text(client.get(reverse("home")))

    assert text.count("Withdrawn by the requester") == 1
    assert f'href="{reverse("role_request_approve", args=[still_waiting.pk])}"' in text
    assert reverse("role_request_approve", args=[withdrawn.pk]) not in text
