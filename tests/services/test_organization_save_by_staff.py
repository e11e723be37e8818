"""organization_save_by_staff: CMS staff add or correct an organization's record in admin."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError

from organizations.models import Organization
from organizations.services import organization_save_by_staff
from tests.factories import UserFactory


def staff_with(*codenames):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def records_clerk(db):
    return staff_with("add_organization", "change_organization", "view_organization")


def test_staff_add_an_organization_with_history(records_clerk):
    organization = Organization(
        kind=Organization.Kind.PRACTICE,
        identifier="987654321",
        name="Severn River Family Practice",
        address_line_1="12 Ferry Road",
        city="Annapolis",
        state="MD",
        zip_code="21401",
    )

    organization_save_by_staff(organization=organization, by=records_clerk)

    created = organization.history.get()
    assert (created.history_type, created.history_user) == ("+", records_clerk)
    assert created.history_change_reason == "Added by CMS staff"


def test_staff_correct_a_name_and_the_history_says_what_and_who(records_clerk, practice):
    practice.name = "Chesapeake Family Medicine, LLC"
    practice.city = "Towson"

    organization_save_by_staff(organization=practice, by=records_clerk, changed_fields=["name", "city"])

    latest = Organization.objects.get(pk=practice.pk).history.first()
    assert latest.name == "Chesapeake Family Medicine, LLC"
    assert latest.history_user == records_clerk
    assert latest.history_change_reason == "Corrected by CMS staff: organization name, city"


@pytest.mark.parametrize(
    ("field", "value"),
    [("zip_code", "2140"), ("state", "XX"), ("name", "")],
)
def test_bad_values_are_refused_and_nothing_is_saved(records_clerk, practice, field, value):
    setattr(practice, field, value)

    with pytest.raises(ValidationError) as invalid:
        organization_save_by_staff(organization=practice, by=records_clerk, changed_fields=[field])

    assert field in invalid.value.message_dict
    assert practice.history.count() == 1
    assert getattr(Organization.objects.get(pk=practice.pk), field) != value


def test_the_identifier_never_changes(records_clerk, practice):
    practice.identifier = "111111111"

    with pytest.raises(ValidationError):
        organization_save_by_staff(organization=practice, by=records_clerk, changed_fields=["identifier"])

    assert Organization.objects.get(pk=practice.pk).identifier == "123456789"


@pytest.mark.parametrize(
    "who",
    [
        lambda: staff_with("view_organization"),  # help desk: may look, not change
        lambda: UserFactory(is_staff=False),
        lambda: UserFactory(is_staff=True, is_superuser=True, is_active=False),
    ],
)
def test_only_active_staff_who_may_change_organizations(db, practice, who):
    practice.name = "Renamed"

    with pytest.raises(PermissionDenied):
        organization_save_by_staff(organization=practice, by=who(), changed_fields=["name"])

    assert Organization.objects.get(pk=practice.pk).name == "Chesapeake Family Medicine"
