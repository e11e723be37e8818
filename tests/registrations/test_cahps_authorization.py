"""Another organization's CAHPS registration can never be read, auto-saved into, downloaded or
deleted, whatever IDs are edited into URLs and POST bodies; Staff Users read the page and the
summary and are refused everything else [SPEC §8; issue 27 #6]."""

import pytest
from django.urls import reverse

from contacts.models import Contact
from organizations.models import Role
from registrations.models import ProgramStatus, Registration, Size, Source
from tests.factories import ContactFactory, OrganizationFactory, RegistrationFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def theirs(window_open_2023):
    """Another organization's Complete registration, with its own Security Official."""
    organization = OrganizationFactory(name="Someone Else's Practice")
    RoleFactory(user=UserFactory(), organization=organization, kind=Role.Kind.SECURITY_OFFICIAL)
    registration = RegistrationFactory(
        organization=organization,
        performance_year=window_open_2023,
        size=Size.SMALL,
        cahps_status=ProgramStatus.REGISTERED,
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    ContactFactory(registration=registration, first_name="Their", last_name="Contact")
    ContactFactory(registration=registration, first_name="Second", last_name="Contact")
    return registration


@pytest.fixture
def mine(practice, window_open_2023):
    registration = RegistrationFactory(
        organization=practice,
        performance_year=window_open_2023,
        size=Size.SMALL,
        cahps_status=ProgramStatus.REGISTERED,
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    ContactFactory(registration=registration, first_name="My", last_name="Contact")
    ContactFactory(registration=registration, first_name="Other", last_name="Mine")
    return registration


def urls_for(registration, contact):
    org = {"year": registration.performance_year.year, "organization_id": registration.organization_id}
    return {
        "page": ("get", reverse("cahps_registration", kwargs=org)),
        "summary": ("get", reverse("cahps_summary", kwargs=org)),
        "delete_confirm": ("get", reverse("cahps_delete", kwargs=org)),
        "contact_delete_confirm": (
            "get",
            reverse("cahps_contact_delete", kwargs={**org, "contact_id": contact.pk}),
        ),
        "register": ("post", reverse("cahps_register", kwargs=org)),
        "size": ("post", reverse("cahps_size", kwargs=org)),
        "contact_add": ("post", reverse("cahps_contact_add", kwargs=org)),
        "contact_update": ("post", reverse("cahps_contact_update", kwargs={**org, "contact_id": contact.pk})),
        "contact_delete": ("post", reverse("cahps_contact_delete", kwargs={**org, "contact_id": contact.pk})),
        "delete": ("post", reverse("cahps_delete", kwargs=org)),
    }


DATA = {
    "size": Size.LARGE,
    "first_name": "Mallory",
    "last_name": "X",
    "phone": "4105550100",
    "email": "m@x.org",
}


def snapshot():
    return (
        list(Registration.objects.order_by("pk").values()),
        list(Contact.objects.order_by("pk").values()),
    )


ALL = [
    "page",
    "summary",
    "delete_confirm",
    "contact_delete_confirm",
    "register",
    "size",
    "contact_add",
    "contact_update",
    "contact_delete",
    "delete",
]


@pytest.mark.parametrize("name", ALL)
def test_another_organizations_registration_is_never_reached(sign_in, security_official, mine, theirs, name):
    client = sign_in(security_official)
    before = snapshot()
    method, url = urls_for(theirs, theirs.contacts.first())[name]

    response = getattr(client, method)(url, DATA, **JSON) if method == "post" else client.get(url)

    assert response.status_code == 404
    assert "Someone Else" not in response.content.decode()
    assert "Their" not in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("name", ["contact_update", "contact_delete", "contact_delete_confirm"])
def test_a_contact_id_of_another_registration_under_my_organization_is_not_found(
    sign_in, security_official, mine, theirs, name
):
    client = sign_in(security_official)
    before = snapshot()
    method, url = urls_for(mine, theirs.contacts.first())[name]

    response = getattr(client, method)(url, DATA, **JSON) if method == "post" else client.get(url)

    assert response.status_code == 404
    assert snapshot() == before


def test_ids_added_to_the_post_body_are_ignored(sign_in, security_official, mine, theirs):
    client = sign_in(security_official)
    their_contact = theirs.contacts.first()
    my_contact = mine.contacts.first()
    url = urls_for(mine, my_contact)["contact_update"][1]

    client.post(
        url,
        {
            **DATA,
            "organization_id": theirs.organization_id,
            "registration": theirs.pk,
            "contact_id": their_contact.pk,
            "id": their_contact.pk,
        },
        **JSON,
    )

    their_contact.refresh_from_db()
    my_contact.refresh_from_db()
    assert their_contact.first_name == "Their"
    assert my_contact.first_name == "Mallory"


# What a Staff User of the organization may open: the page and the summary, read-only (issue 27 #6).
READ = ["page", "summary"]


@pytest.mark.parametrize("name", READ)
def test_a_staff_user_of_the_organization_reads_the_page_and_summary_and_changes_nothing(
    sign_in, staff_user, mine, name
):
    client = sign_in(staff_user)
    before = snapshot()
    _method, url = urls_for(mine, mine.contacts.first())[name]

    assert client.get(url).status_code == 200
    assert snapshot() == before


@pytest.mark.parametrize("name", [name for name in ALL if name not in READ])
def test_a_staff_user_of_the_organization_is_refused(sign_in, staff_user, mine, name):
    client = sign_in(staff_user)
    before = snapshot()
    method, url = urls_for(mine, mine.contacts.first())[name]

    response = getattr(client, method)(url, DATA, **JSON) if method == "post" else client.get(url)

    # Refused with the reason: their role is Staff User [2023 §III.7].
    assert response.status_code == 403
    assert "Submitting, modifying or deleting its registration needs the Security Official role." in (
        response.content.decode()
    )
    assert snapshot() == before


@pytest.mark.parametrize("name", ALL)
def test_an_outsider_is_refused(sign_in, outsider, mine, name):
    client = sign_in(outsider)
    before = snapshot()
    method, url = urls_for(mine, mine.contacts.first())[name]

    response = getattr(client, method)(url, DATA, **JSON) if method == "post" else client.get(url)

    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("name", ALL)
def test_signed_out_every_cahps_url_goes_to_sign_in(client, mine, name):
    method, url = urls_for(mine, mine.contacts.first())[name]

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
