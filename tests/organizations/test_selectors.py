"""organizations.selectors: every organization is fetched through the user's role."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from organizations.models import Organization, Role
from organizations.selectors import find_organization, get_organization_for_user
from tests.factories import OrganizationFactory, VirtualGroupFactory

pytestmark = pytest.mark.django_db


def test_security_official_gets_their_organization(security_official, practice):
    assert get_organization_for_user(security_official, practice.pk) == practice
    assert (
        get_organization_for_user(security_official, practice.pk, role=Role.Kind.SECURITY_OFFICIAL)
        == practice
    )


def test_lookup_by_identifier(security_official, practice):
    assert get_organization_for_user(security_official, identifier="123456789") == practice


def test_staff_user_is_refused_where_the_security_official_role_is_required(staff_user, practice):
    assert get_organization_for_user(staff_user, practice.pk) == practice
    with pytest.raises(Http404):
        get_organization_for_user(staff_user, practice.pk, role=Role.Kind.SECURITY_OFFICIAL)


def test_user_without_a_role_gets_404_for_an_existing_organization(outsider, practice):
    with pytest.raises(Http404):
        get_organization_for_user(outsider, practice.pk)


def test_role_for_one_organization_opens_no_other(security_official):
    other = OrganizationFactory()
    with pytest.raises(Http404):
        get_organization_for_user(security_official, other.pk)


def test_anonymous_and_inactive_users_get_404(security_official, practice):
    with pytest.raises(Http404):
        get_organization_for_user(AnonymousUser(), practice.pk)
    security_official.is_active = False
    with pytest.raises(Http404):
        get_organization_for_user(security_official, practice.pk)


def test_find_needs_the_identifier_and_the_name(practice):
    assert (
        find_organization(kind="practice", identifier="123-45-6789", name="chesapeake family  medicine")
        == practice
    )
    assert (
        find_organization(kind="practice", identifier="123456789", name="Chesapeake Family Medicine.")
        == practice
    )
    assert find_organization(kind="practice", identifier="123456789", name="Chesapeake") is None
    assert find_organization(kind="practice", identifier="123456789", name="") is None
    assert (
        find_organization(kind="practice", identifier="999999999", name="Chesapeake Family Medicine") is None
    )
    assert (
        find_organization(kind="virtual_group", identifier="123456789", name="Chesapeake Family Medicine")
        is None
    )


def test_find_a_virtual_group_ignores_the_case_of_its_id():
    group = VirtualGroupFactory(identifier="VG-12345", name="Blue Ridge Virtual Group")

    assert (
        find_organization(
            kind=Organization.Kind.VIRTUAL_GROUP, identifier="vg-12345", name="blue ridge virtual group"
        )
        == group
    )
