"""The help desk's organization history page: who may open it and what it tells them."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from organizations.models import Role
from organizations.services import (
    SECURITY_OFFICIAL_REMOVED,
    role_remove,
    role_request_approve,
    role_request_create,
    role_request_reject,
)
from registrations.admin.staff_groups import HELP_DESK
from registrations.detail_services import contact_add
from registrations.models import Program, Size
from registrations.services import registration_change_size, registration_get_or_create, registration_submit
from tests.conftest import sign_in_with_two_factor
from tests.factories import OrganizationFactory, PerformanceYearFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


def history_url(organization):
    return f"/admin/organizations/organization/{organization.pk}/full-history/"


@pytest.fixture
def story(open_year, practice, security_official):
    """A practice registered in 2021 and in the open year (a contact added, the size changed),
    with one role request approved by its Security Official and one rejected."""
    RegistrationFactory(
        organization=practice, performance_year=PerformanceYearFactory(year=2021), size=Size.LARGE
    )
    registration = registration_get_or_create(organization=practice, year=open_year, by=security_official)
    contact_add(
        registration=registration,
        by=security_official,
        first_name="Casey",
        last_name="Contact",
        email="casey@example.com",
        phone="410-555-0100",
    )
    registration = registration_submit(
        organization=practice, year=open_year, program=Program.CAHPS, size=Size.MEDIUM, by=security_official
    )
    registration_change_size(registration=registration, size=Size.LARGE, by=security_official)
    colleague = UserFactory(username="new-colleague", first_name="Nia", last_name="Newton")
    role_request_approve(
        role_request=role_request_create(user=colleague, organization=practice, role=Role.Kind.STAFF_USER),
        by=security_official,
    )
    stranger = UserFactory(username="stranger", first_name="Stan", last_name="Ranger")
    role_request_reject(
        role_request=role_request_create(
            user=stranger, organization=practice, role=Role.Kind.SECURITY_OFFICIAL
        ),
        by=security_official,
        note="Not one of our staff.",
    )
    return registration


# --- Who may open it -----------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client, practice):
    response = client.get(history_url(practice))

    assert response.status_code == 302
    assert "/login/" in response.url


def test_non_staff_security_official_of_the_organization_is_refused(story, security_official):
    response = sign_in_with_two_factor(Client(), security_official).get(history_url(story.organization))

    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_staff_without_the_help_desk_group_is_refused(staff_client, story):
    staff = UserFactory(username="other-staff", first_name="Olive", last_name="Other", is_staff=True)

    response = staff_client(staff).get(history_url(story.organization))

    assert response.status_code == 403
    assert b"Casey" not in response.content


def test_staff_in_another_group_without_the_permission_is_refused(staff_client, story):
    staff = UserFactory(username="grouped-staff", first_name="Greta", last_name="Group", is_staff=True)
    staff.groups.add(Group.objects.create(name="Reporting"))

    assert staff_client(staff).get(history_url(story.organization)).status_code == 403


def test_a_help_desk_agent_who_is_no_longer_staff_is_refused(staff_client, help_desk_agent, story):
    client = staff_client(help_desk_agent)
    help_desk_agent.is_staff = False
    help_desk_agent.save()

    assert client.get(history_url(story.organization)).status_code == 302


@pytest.mark.parametrize("persona", ["help_desk_agent", "registration_admin", "staff_reviewer"])
def test_help_desk_registration_admins_and_superusers_may_open_it(request, staff_client, story, persona):
    response = staff_client(request.getfixturevalue(persona)).get(history_url(story.organization))

    assert response.status_code == 200


def test_an_unknown_organization_is_not_found(staff_client, help_desk_agent):
    assert staff_client(help_desk_agent).get(
        "/admin/organizations/organization/999999/full-history/"
    ).status_code == (404)


def test_the_help_desk_group_carries_the_permission(staff_groups):
    assert staff_groups[HELP_DESK].permissions.filter(codename="audit_organization").exists()


# --- What it shows -------------------------------------------------------------------------------------


def test_every_registration_role_request_and_change_in_readable_words(staff_client, help_desk_agent, story):
    page = staff_client(help_desk_agent).get(history_url(story.organization)).content.decode()

    # Every year's registration, with its ID and readable statuses.
    assert story.registration_id in page
    assert "2021" in page and "2025" in page
    assert "Registered" in page and "Not registered" in page
    assert "By the Security Official" in page
    # Roles and role requests, decided by whom and when (ET).
    assert "Nia Newton" in page and "Staff User" in page
    assert "Approved" in page and "Rejected" in page and "Not one of our staff." in page
    assert "Role request by Stan Ranger (stranger)" in page
    # Changes: who, when in ET, what — labels, not stored codes.
    assert " ET" in page
    assert "Organization size" in page and "25–99 → 100 or more" in page
    assert "Contact Casey Contact" in page
    assert "security_official" not in page
    assert "not_registered" not in page
    assert "100+" not in page


def test_changes_name_who_made_them(staff_client, help_desk_agent, story, security_official):
    response = staff_client(help_desk_agent).get(history_url(story.organization))

    whos = {entry.who for entry in response.context["history"].changes}
    assert str(security_official) in whos
    subjects = {entry.subject for entry in response.context["history"].changes}
    assert f"Registration {story.registration_id} (2025)" in subjects
    assert f"Contact Casey Contact of {story.registration_id} (2025)" in subjects
    assert "Staff User role of Nia Newton (new-colleague)" in subjects
    assert "Role request by Nia Newton (new-colleague)" in subjects


def test_a_removed_security_official_is_in_the_history_with_who_removed_them(
    staff_client, help_desk_agent, story, security_official
):
    # [issue 28 #22]: a Security Official removed by one they approved is in the organization's story.
    newcomer = UserFactory(username="new-official", first_name="Nora", last_name="Quinn")
    role_request_approve(
        role_request=role_request_create(
            user=newcomer, organization=story.organization, role=Role.Kind.SECURITY_OFFICIAL
        ),
        by=security_official,
    )
    role_remove(role=Role.objects.get(user=security_official), by=newcomer)

    response = staff_client(help_desk_agent).get(history_url(story.organization))

    entry = next(
        entry
        for entry in response.context["history"].changes
        if entry.subject == "Security Official role of Sam Official (so-user)"
    )
    assert (entry.action, entry.who) == ("Deleted", "Nora Quinn (new-official)")
    assert entry.reason == SECURITY_OFFICIAL_REMOVED
    page = response.content.decode()
    assert "Security Official role of Sam Official (so-user)" in page
    assert "they and the remaining Security Officials were e-mailed" in page


def test_another_organizations_history_is_not_mixed_in(staff_client, help_desk_agent, story):
    other = OrganizationFactory(name="Elsewhere Clinic")
    RegistrationFactory(organization=other, performance_year=story.performance_year)

    page = staff_client(help_desk_agent).get(history_url(story.organization)).content.decode()

    assert "Elsewhere Clinic" not in page


def test_the_page_costs_the_same_queries_however_long_the_history(
    staff_client, help_desk_agent, story, security_official
):
    client = staff_client(help_desk_agent)
    url = history_url(story.organization)
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for size in (Size.MEDIUM, Size.LARGE, Size.MEDIUM):
        registration_change_size(registration=story, size=size, by=security_official)
    with CaptureQueriesContext(connection) as after:
        client.get(url)

    assert len(after.captured_queries) == len(before.captured_queries)


# --- Links from admin ----------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["organization", "registration"])
def test_admin_pages_link_to_the_history_for_the_help_desk(staff_client, help_desk_agent, story, page):
    if page == "organization":
        url = f"/admin/organizations/organization/{story.organization.pk}/change/"
    else:
        url = f"/admin/registrations/registration/{story.pk}/change/"

    content = staff_client(help_desk_agent).get(url).content.decode()

    assert f'href="{history_url(story.organization)}"' in content


def test_staff_who_may_not_see_it_get_no_link(staff_client, story):
    staff = UserFactory(username="viewer", is_staff=True)
    staff.user_permissions.add(
        Permission.objects.get(codename="view_organization", content_type__app_label="organizations")
    )

    content = (
        staff_client(staff).get(f"/admin/organizations/organization/{story.organization.pk}/change/").content
    )

    assert history_url(story.organization).encode() not in content
