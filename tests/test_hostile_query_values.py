"""No URL answers 500 to a hostile query string, whoever asks.

Walks the whole URLconf (every page added later is covered the day it is added)
as each persona and sends the query-string names the portal and Django admin
read, with values a person or a scanner could type: digits that are not ASCII
("²" passes ``str.isdigit`` but not ``int``), integers no column holds, empty
values, repeated keys and 10,000 characters. A bad value may be refused (400,
404, a redirect) but never crash the page.
"""

import re

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone

from accounts.models import TwoFactorDevice
from organizations.models import Organization, Role, SecurityOfficialInvitation
from registrations.guide_years import LIKE_2021, LIKE_2023, open_window_around
from registrations.models import ProgramStatus, Source
from tests.accounts.test_url_auth import _walk
from tests.conftest import sign_in_with_two_factor
from tests.factories import (
    ContactFactory,
    OrganizationFactory,
    PerformanceYearFactory,
    RegistrationFactory,
    RoleFactory,
    RoleRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Every query-string name a portal view reads, and the ones Django admin reads.
NAMES = [
    "year", "device", "organization", "page", "tab", "status", "q", "next", "return_to", "add",
    "p", "o", "e", "all", "_popup", "_to_field", "_changelist_filters", "term", "app_label",
    "model_name", "field_name", "performance_year__id__exact", "size__exact", "kind", "sort", "jump",
    "state", "organization__id__exact",
]  # fmt: skip

HOSTILE = {
    "non-ascii digits": ["²", "١٢"],
    "huge integer": ["9" * 25],
    # QueryDict.get answers the last of repeated keys; getlist sees them all.
    "repeated keys, the last empty": ["²", "99999999999999999999", ""],
    "10,000 characters": ["7" * 10_000],
}
# A 10,000-character value goes to the names the portal itself parses (on every name it only
# makes the walk slow: Django admin's own parameters are covered by the other values).
LONG_VALUE_NAMES = [
    "year", "device", "organization", "page", "tab", "status", "q", "next", "return_to", "p", "sort", "jump",
]  # fmt: skip


def _query(kind):
    names = LONG_VALUE_NAMES if kind == "10,000 characters" else NAMES
    return "&".join(f"{name}={value}" for name in names for value in HOSTILE[kind])


@pytest.fixture
def world(db):
    """One of everything a URL can point at, so that pages get past their lookups."""
    now = timezone.now()
    year_2021 = PerformanceYearFactory(year=2025, **LIKE_2021, **open_window_around(now))
    PerformanceYearFactory(year=2026, **LIKE_2023, **open_window_around(now))
    practice = OrganizationFactory(name="Chesapeake Family Medicine")
    so = UserFactory(username="hostile-so")
    staff = UserFactory(username="hostile-staff")
    outsider = UserFactory(username="hostile-outsider")
    reviewer = UserFactory(username="hostile-reviewer", is_staff=True, is_superuser=True)
    role = RoleFactory(user=so, organization=practice, kind=Role.Kind.SECURITY_OFFICIAL)
    RoleFactory(user=staff, organization=practice, kind=Role.Kind.STAFF_USER)
    registration = RegistrationFactory(
        organization=practice,
        performance_year=year_2021,
        cahps_status=ProgramStatus.REGISTERED,
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    contact = ContactFactory(registration=registration)
    role_request = RoleRequestFactory(organization=practice)
    SecurityOfficialInvitation.objects.create(
        organization=practice, email="invited@example.com", invited_by=so, expires_at=now
    )
    device = TwoFactorDevice.objects.create(
        user=so, kind=TwoFactorDevice.Kind.EMAIL, name="mail", destination="a@b.example"
    )
    ids = {
        "year": str(year_2021.year),
        "organization_id": str(practice.pk),
        "organization_pk": str(practice.pk),
        "role_pk": str(role.pk),
        "contact_id": str(contact.pk),
        "program": "cahps",
        "pk": str(device.pk),
    }
    personas = {"anonymous": None, "security official": so, "staff user": staff, "outsider": outsider,
                "CMS reviewer": reviewer}  # fmt: skip
    return {"ids": ids, "personas": personas, "role_request": role_request}


def _admin_object_id(route):
    found = re.match(r"admin/(\w+)/(\w+)/", route)
    if not found:
        return "1"
    model = apps.get_model(found.group(1), found.group(2))
    obj = model.objects.order_by("pk").first()
    return str(obj.pk) if obj else "1"


def _paths(ids):
    paths = []
    for route, _namespace, _name, _converters in _walk(get_resolver().url_patterns):
        if "(" in route or "^" in route:
            continue  # regex routes: admin's catch-all and allauth's e-mailed keys

        def sample(match, route=route):
            name = match.group(2)
            if name == "content_type_id":
                # Admin's "view on site" shortcut, for a portal model (the test-only django_rq
                # app has a model without a table).
                return str(ContentType.objects.get_for_model(Organization).pk)
            if name == "object_id" and route.startswith("admin/r/"):
                return str(Organization.objects.order_by("pk").first().pk)
            if name == "object_id":
                return _admin_object_id(route)
            return ids.get(name, "1")

        paths.append("/" + re.sub(r"<(?:(\w+):)?(\w+)>", sample, route))
    return sorted(set(paths))


@pytest.mark.parametrize(
    "persona", ["anonymous", "security official", "staff user", "outsider", "CMS reviewer"]
)
def test_no_url_answers_500_to_hostile_query_values(world, persona):
    client = Client(raise_request_exception=False)
    user = world["personas"][persona]
    if user is not None:
        sign_in_with_two_factor(client, user)
    failures = []
    for path in _paths(world["ids"]):
        if path.endswith(("/logout/",)):
            continue  # a GET shows the sign-out page; signing out would change the persona
        for kind in HOSTILE:
            response = client.get(f"{path}?{_query(kind)}")
            if response.status_code >= 500:
                failures.append(f"{path} ({kind}): {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "path",
    ["/organizations/connected/?year=²", "/registration/?year=²", "/accounts/two-factor/?device=²"],
)
def test_a_malformed_number_answers_400_saying_which_value(client, world, path):
    user = world["personas"]["security official"]
    if path.startswith("/accounts/two-factor/"):
        client.force_login(user)  # password given, the device still to choose
    else:
        sign_in_with_two_factor(client, user)

    response = client.get(path)

    assert response.status_code == 400
    name = path.split("?")[1].split("=")[0]
    assert f"The “{name}” in the address must be a whole number" in response.content.decode()


@pytest.mark.parametrize(("value", "status"), [("abc", 400), ("99999999999999999999", 400), ("987654", 404)])
def test_admin_service_center_refuses_a_bad_organization_parameter(client, world, value, status):
    sign_in_with_two_factor(client, world["personas"]["CMS reviewer"])

    response = client.get(f"/admin/registrations/registration/service-center/?organization={value}")

    assert response.status_code == status


@pytest.mark.parametrize(
    "path",
    [
        "/admin/organizations/organization/?kind__exact=%00",
        "/admin/organizations/rolerequest/?status__exact=%00",
        "/admin/organizations/role/?kind__exact=%00",
        "/admin/organizations/securityofficialinvitation/?state=%00",
        "/admin/registrations/registration/?size__exact=25-99%00",
        "/admin/registrations/registration/?q=%00",
        "/admin/organizations/organization/?%00=1",
        "/organizations/connected/?year=%00",
    ],
)
def test_a_null_character_in_the_address_answers_400_saying_so(client, world, path):
    client.raise_request_exception = False
    sign_in_with_two_factor(client, world["personas"]["CMS reviewer"])

    response = client.get(path)

    # PostgreSQL refuses a string with a null character outright: without this, a 500.
    assert response.status_code == 400
    assert "The address contains a null character" in response.content.decode()
