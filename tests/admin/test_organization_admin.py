"""Organizations in admin: identifiers never change after creation, and those without a
Security Official stand out."""

import pytest

from organizations.models import Organization, Role
from tests.factories import OrganizationFactory, RoleFactory

pytestmark = pytest.mark.django_db

ORGANIZATIONS = "/admin/organizations/organization/"


@pytest.fixture
def admin_client(staff_client, registration_admin):
    return staff_client(registration_admin)


def test_identifier_is_read_only_after_creation(admin_client, practice):
    data = {
        "name": "Chesapeake Family Medicine LLC",
        "kind": Organization.Kind.PRACTICE,
        "identifier": "999999999",
        "apm_identifier": "",
        "aco_type": "",
        "address_line_1": practice.address_line_1,
        "address_line_2": "",
        "city": practice.city,
        "state": practice.state,
        "zip_code": practice.zip_code,
        "roles-TOTAL_FORMS": "0",
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
    }

    page = admin_client.get(f"{ORGANIZATIONS}{practice.pk}/change/").content.decode()
    response = admin_client.post(f"{ORGANIZATIONS}{practice.pk}/change/", data)

    assert 'name="identifier"' not in page
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.name == "Chesapeake Family Medicine LLC"
    assert practice.identifier == "123456789"
    latest = practice.history.first()
    assert latest.history_user.username == "reg-admin"
    assert latest.history_change_reason == "Corrected by CMS staff: organization name"


def test_organizations_without_a_security_official_are_marked_and_filterable(admin_client):
    orphan = OrganizationFactory(name="Orphan Clinic")
    covered = OrganizationFactory(name="Covered Clinic")
    RoleFactory(organization=covered, kind=Role.Kind.SECURITY_OFFICIAL)

    page = admin_client.get(ORGANIZATIONS).content.decode()
    filtered = admin_client.get(ORGANIZATIONS, {"has_security_official": "no"})

    assert page.count('class="qpp-no-so">None yet</span>') == 1
    assert list(filtered.context["cl"].result_list) == [orphan]


def test_help_desk_cannot_change_an_organization(staff_client, help_desk_agent, practice):
    client = staff_client(help_desk_agent)

    response = client.post(f"{ORGANIZATIONS}{practice.pk}/change/", {"name": "Renamed"})

    assert response.status_code == 403
    practice.refresh_from_db()
    assert practice.name == "Chesapeake Family Medicine"


def test_roles_are_shown_but_not_edited_or_deleted_in_admin(admin_client, security_official, practice):
    page = admin_client.get(f"{ORGANIZATIONS}{practice.pk}/change/").content.decode()

    assert "so-user" in page
    assert 'name="roles-0-kind"' not in page
    assert admin_client.get("/admin/organizations/role/add/").status_code == 403
