"""Manage Access: the user's organizations and roles, and the requests they decide [2020 §III.4]."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import Role, RoleRequest
from tests.factories import OrganizationFactory, RoleFactory, RoleRequestFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_lists_only_the_organizations_where_the_user_holds_a_role(
    client, sign_in, security_official, practice
):
    OrganizationFactory(name="Someone Else's Clinic")
    sign_in(security_official)

    page = client.get(reverse("manage_access")).content.decode()

    assert "Your organizations and who has access" in page
    assert f'href="{reverse("connected_organizations")}"' in page  # where the statuses are
    assert "Chesapeake Family Medicine" in page
    assert "***-**-6789" in page
    assert "123456789" not in page
    assert "Security Official" in page
    assert "Someone Else&#x27;s Clinic" not in page


def test_user_without_roles_is_pointed_to_connect(client, sign_in, outsider):
    sign_in(outsider)

    page = client.get(reverse("manage_access")).content.decode()

    assert "You are not connected to any organization yet." in page
    assert reverse("connect_organization") in page


def test_security_official_sees_the_people_with_access_and_staff_user_does_not(
    client, sign_in, security_official, staff_user
):
    sign_in(security_official)
    page = client.get(reverse("manage_access")).content.decode()
    assert "People with access" in page
    assert "staff-user" in page

    sign_in(staff_user)
    page = client.get(reverse("manage_access")).content.decode()
    assert "People with access" not in page
    assert "so-user" not in page


def test_security_official_sees_pending_requests_for_their_organization_only(
    client, sign_in, security_official, practice
):
    mine = RoleRequestFactory(organization=practice, user=UserFactory(username="asks-here"))
    RoleRequestFactory(user=UserFactory(username="asks-elsewhere"))
    sign_in(security_official)

    page = client.get(reverse("manage_access")).content.decode()

    assert "Requests waiting for your approval" in page
    assert "asks-here" in page
    assert reverse("role_request_approve", args=[mine.pk]) in page
    assert "asks-elsewhere" not in page


def test_staff_user_cannot_see_or_decide_requests(client, sign_in, staff_user, practice):
    request = RoleRequestFactory(organization=practice, user=UserFactory(username="asks-here"))
    sign_in(staff_user)

    page = client.get(reverse("manage_access")).content.decode()
    response = client.post(reverse("role_request_approve", args=[request.pk]))

    assert "asks-here" not in page
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == RoleRequest.Status.PENDING


def test_user_sees_their_own_pending_request(client, sign_in, outsider, practice):
    RoleRequestFactory(organization=practice, user=outsider, role=Role.Kind.STAFF_USER)
    sign_in(outsider)

    page = client.get(reverse("manage_access")).content.decode()

    assert "Staff User for Chesapeake Family Medicine</a> — waiting 0" in page


def test_page_runs_a_fixed_number_of_queries(
    client, sign_in, security_official, django_assert_max_num_queries
):
    for _ in range(15):
        organization = OrganizationFactory()
        RoleFactory(user=security_official, organization=organization)
        RoleFactory(organization=organization, kind=Role.Kind.STAFF_USER)
        RoleRequestFactory(organization=organization)
    sign_in(security_official)

    with django_assert_max_num_queries(20):
        response = client.get(reverse("manage_access"))

    assert response.status_code == 200
    assert len(mail.outbox) == 0


def test_many_organizations_come_a_page_at_a_time_with_the_same_queries(
    client, sign_in, security_official, django_assert_max_num_queries
):
    for n in range(29):
        RoleFactory(user=security_official, organization=OrganizationFactory(name=f"Clinic {n:02d}"))
    sign_in(security_official)

    with CaptureQueriesContext(connection) as first_page_queries:
        first = client.get(reverse("manage_access")).content.decode()
    first_page_query_count = len(first_page_queries)  # now: each request resets the query log
    second = client.get(reverse("manage_access"), {"page": 2}).content.decode()

    # 30 organizations by name: the fixture's Chesapeake Family Medicine, then Clinic 00–28.
    assert "Showing 1–25 of 30 organizations." in first
    assert "Chesapeake Family Medicine" in first and "Clinic 23" in first and "Clinic 24" not in first
    assert "Showing 26–30 of 30 organizations." in second
    assert "Clinic 24" in second and "Clinic 28" in second and "Clinic 23" not in second
    assert 'aria-label="Pages of your organizations"' in first
    for n in range(29, 80):
        RoleFactory(user=security_official, organization=OrganizationFactory(name=f"Clinic {n:02d}"))
    with django_assert_max_num_queries(first_page_query_count):
        client.get(reverse("manage_access"))
