"""The two staff groups made by migration 0002_staff_groups, and what each may do."""

import pytest
from django.contrib.auth.models import Group

from registrations.admin.staff_groups import HELP_DESK, REGISTRATION_ADMIN

pytestmark = pytest.mark.django_db


def permissions_of(name):
    group = Group.objects.get(name=name)
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


def test_migration_created_both_groups_with_their_permissions(staff_groups):
    help_desk = permissions_of(HELP_DESK)
    registration_admin = permissions_of(REGISTRATION_ADMIN)

    assert {
        "registrations.view_registration",
        "registrations.export_registration",
        "organizations.change_rolerequest",
    } <= help_desk
    assert "registrations.change_registration" not in help_desk
    assert "registrations.change_performanceyear" not in help_desk
    assert help_desk < registration_admin
    assert {"registrations.change_registration", "registrations.change_performanceyear"} <= registration_admin


@pytest.mark.parametrize(
    ("url", "help_desk_status", "registration_admin_status"),
    [
        ("/admin/registrations/registration/", 200, 200),
        ("/admin/registrations/registration/export/", 200, 200),
        ("/admin/organizations/rolerequest/", 200, 200),
        ("/admin/registrations/registration/service-center/", 403, 200),
        ("/admin/registrations/registration/rollover/", 403, 200),
        ("/admin/registrations/performanceyear/add/", 403, 200),
    ],
)
def test_what_each_group_may_open(
    staff_client, help_desk_agent, registration_admin, url, help_desk_status, registration_admin_status
):
    assert staff_client(help_desk_agent).get(url).status_code == help_desk_status
    assert staff_client(registration_admin).get(url).status_code == registration_admin_status
