"""Names, addresses and contact fields are plain text on one line.

A line break or another control character in a name would reach the e-mails
that quote it as a forged line ("Registration cancelled" under a real
heading), so every way in refuses it next to the field and saves nothing.
"""

import pytest
from django.urls import reverse

from contacts.models import Contact
from tests.factories import ContactFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

FORGED = [
    "Ada\r\nYour registration was cancelled",
    "Ada\nLovelace",
    "Ada\tLovelace",
    "Ada\x1bLovelace",
    "Ada\x85Lovelace",
    "Ada\u2028Lovelace",
    "Ada\u202eLovelace",
]
MESSAGE = "Enter this on one line, without line breaks, tabs or other control characters."
CONTACT = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "phone": "410-555-0142"}
ORGANIZATION = {
    "name": "Chesapeake Family Medicine",
    "address_line_1": "1 Main St",
    "address_line_2": "",
    "city": "Baltimore",
    "state": "MD",
    "zip_code": "21201",
}


@pytest.mark.parametrize("value", FORGED)
@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_a_contact_name_with_a_control_character_is_refused_next_to_the_field(
    sign_in, security_official, practice, window_open_2021, field, value
):
    RegistrationFactory(organization=practice, performance_year=window_open_2021)
    url = reverse("registration_contact_add", kwargs={"year": 2021, "organization_id": practice.pk})

    response = sign_in(security_official).post(url, {**CONTACT, field: value})

    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert 'value="Ada' in response.content.decode()
    assert not Contact.objects.exists()


@pytest.mark.parametrize("field", ["name", "address_line_1", "address_line_2", "city"])
def test_an_organization_field_with_a_line_break_is_refused(
    sign_in, security_official, practice, window_open_2021, field
):
    RegistrationFactory(organization=practice, performance_year=window_open_2021)
    url = reverse("registration_organization_edit", kwargs={"year": 2021, "organization_id": practice.pk})
    before = practice.name

    response = sign_in(security_official).post(url, {**ORGANIZATION, field: "Suite 1\r\nCancelled"})

    practice.refresh_from_db()
    assert MESSAGE in response.content.decode()
    assert practice.name == before
    assert "\n" not in getattr(practice, field)


def test_the_cahps_auto_save_refuses_a_forged_name_next_to_the_field(
    sign_in, security_official, practice, window_open_2023
):
    registration = RegistrationFactory(organization=practice, performance_year=window_open_2023, size="")
    contact = ContactFactory(registration=registration, first_name="Dana")
    url = reverse(
        "cahps_contact_update",
        kwargs={"year": 2023, "organization_id": practice.pk, "contact_id": contact.pk},
    )

    response = sign_in(security_official).post(
        url, {**CONTACT, "first_name": "Dana\nBcc: x"}, HTTP_ACCEPT="application/json"
    )

    contact.refresh_from_db()
    assert response.status_code == 400
    assert response.json()["errors"]["first_name"] == [MESSAGE]
    assert contact.first_name == "Dana"


def test_the_model_refuses_it_too_for_admin_and_services(practice):
    from django.core.exceptions import ValidationError

    practice.city = "Baltimore\r\nBcc"
    with pytest.raises(ValidationError) as refused:
        practice.full_clean()
    assert refused.value.message_dict["city"] == [MESSAGE]


def test_sign_up_refuses_a_name_with_a_line_break(client):
    response = client.post(
        reverse("account_signup"),
        {
            "username": "new-person",
            "first_name": "Ada\r\nApproved",
            "last_name": "Lovelace",
            "email": "ada@example.com",
            "password1": "a-long-enough-password-1",
            "password2": "a-long-enough-password-1",
        },
    )

    assert MESSAGE in response.content.decode()
