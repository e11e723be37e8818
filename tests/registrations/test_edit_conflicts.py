"""Two Security Officials with the same edit page open [SPEC §8 "never ... a lost update"]:
the second save is refused with who changed the record and when, keeps what was typed, and
a second click saves it over the other change deliberately."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from registrations.detail_services import contact_update, organization_update
from registrations.models import Size
from tests.factories import ContactFactory, RegistrationFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def second_official(practice):
    return RoleFactory(organization=practice, user=UserFactory(first_name="Sue", last_name="Second")).user


@pytest.fixture
def later(time_machine):
    return lambda: time_machine.shift(timedelta(minutes=1))


def token_in(page):
    return re.search(r'name="edit_token" value="([^"]*)"', page).group(1)


def contact_values(contact, **changes):
    values = {name: getattr(contact, name) for name in ("first_name", "last_name", "email", "phone")}
    return {**values, **changes}


def test_edit_contact_refuses_to_undo_a_change_saved_meanwhile(
    sign_in, security_official, second_official, practice, window_open_2021, later
):
    registration = RegistrationFactory(
        organization=practice, performance_year=window_open_2021, size=Size.MEDIUM
    )
    ada = ContactFactory(
        registration=registration, first_name="Ada", email="ada@example.com", phone="(410) 555-0142"
    )
    url = reverse(
        "registration_contact_edit",
        kwargs={"year": 2021, "organization_id": practice.pk, "contact_id": ada.pk},
    )
    client = sign_in(security_official)
    opened_with = token_in(client.get(url).content.decode())
    later()
    contact_update(
        registration=registration, contact=ada, by=second_official, **contact_values(ada, phone="4435550100")
    )
    later()

    typed = {**contact_values(ada, email="ada.new@example.com"), "edit_token": opened_with}
    response = client.post(url, typed)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Sue Second changed this contact on Tuesday, May 4, 2021 at 12:01 p.m. ET" in page
    assert "save again to replace their change with yours" in page
    assert 'value="ada.new@example.com"' in page  # what was typed is kept
    ada.refresh_from_db()
    assert (ada.email, ada.phone) == ("ada@example.com", "(443) 555-0100")

    again = client.post(url, {**typed, "edit_token": token_in(page)})

    assert again.status_code == 302
    ada.refresh_from_db()
    assert ada.email == "ada.new@example.com"


def test_organization_information_refuses_to_undo_a_change_saved_meanwhile(
    sign_in, security_official, second_official, practice, window_open_2021, later
):
    url = reverse("registration_organization_edit", kwargs={"year": 2021, "organization_id": practice.pk})
    client = sign_in(security_official)
    opened_with = token_in(client.get(url).content.decode())
    address = {
        "name": practice.name,
        "address_line_1": "1 Harbor Way",
        "address_line_2": "",
        "city": "Annapolis",
        "state": "MD",
        "zip_code": "21401",
    }
    later()
    organization_update(organization=practice, year=window_open_2021, by=second_official, **address)
    later()

    response = client.post(url, {**address, "city": "Towson", "edit_token": opened_with})

    assert response.status_code == 200
    assert "Sue Second changed the organization information on" in response.content.decode()
    practice.refresh_from_db()
    assert practice.city == "Annapolis"


def test_cahps_auto_save_refuses_to_undo_a_change_saved_meanwhile(
    security_official, second_official, practice, window_open_2023, later
):
    registration = RegistrationFactory(organization=practice, performance_year=window_open_2023, size="")
    ada = ContactFactory(
        registration=registration, first_name="Ada", email="ada@example.com", phone="(410) 555-0142"
    )
    url = reverse(
        "cahps_contact_update",
        kwargs={"year": 2023, "organization_id": practice.pk, "contact_id": ada.pk},
    )
    page_url = reverse("cahps_registration", kwargs={"year": 2023, "organization_id": practice.pk})
    mine, theirs = Client(), Client()
    from tests.conftest import sign_in_with_two_factor

    sign_in_with_two_factor(mine, security_official)
    sign_in_with_two_factor(theirs, second_official)
    mine_token = token_in(mine.get(page_url).content.decode())
    theirs_token = token_in(theirs.get(page_url).content.decode())
    later()

    saved = theirs.post(url, {**contact_values(ada, phone="4435550100"), "edit_token": theirs_token}, **JSON)
    later()
    refused = mine.post(
        url, {**contact_values(ada, email="ada.new@example.com"), "edit_token": mine_token}, **JSON
    )

    assert saved.status_code == 200
    assert saved.json()["contact"]["values"]["edit_token"] != theirs_token  # the page carries the new one
    assert refused.status_code == 400
    message = refused.json()["errors"]["__all__"][0]
    assert message.startswith("Sue Second changed this contact on Monday, May 15, 2023 at 12:01 p.m. ET")
    assert message.endswith("Reload the page to see their change, then make yours again.")
    ada.refresh_from_db()
    assert (ada.email, ada.phone) == ("ada@example.com", "(443) 555-0100")
