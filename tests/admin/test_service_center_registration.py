"""Registering an organization on its behalf as the QPP Service Center [2023 §I]."""

import pytest
from django.core import mail

from contacts.models import Contact
from registrations.models import Program, ProgramStatus, Registration, Size, Source
from tests.factories import OrganizationFactory, SubgroupFactory

from .conftest import REGISTRATIONS

pytestmark = pytest.mark.django_db

SERVICE_CENTER = f"{REGISTRATIONS}service-center/"
CONTACT = {
    "contact_first_name": "Dana",
    "contact_last_name": "Sullivan",
    "contact_email": "dana@example.com",
    "contact_phone": "410-555-0142",
}


@pytest.fixture
def admin_client(staff_client, registration_admin):
    return staff_client(registration_admin)


def test_subgroup_cahps_in_a_cahps_only_year_is_complete_with_a_contact(
    admin_client, registration_admin, open_cahps_year
):
    subgroup = SubgroupFactory(name="Cardiology Subgroup")
    data = {
        "organization": subgroup.pk,
        "performance_year": open_cahps_year.pk,
        "program": Program.CAHPS,
        "size": Size.SMALL,
        **CONTACT,
    }

    response = admin_client.post(SERVICE_CENTER, data, follow=True)

    registration = Registration.objects.get(organization=subgroup, performance_year=open_cahps_year)
    assert registration.cahps_status == ProgramStatus.REGISTERED  # "Complete" [2023 §VI]
    assert registration.cahps_source == Source.SERVICE_CENTER
    assert registration.cahps_registered_by == registration_admin
    assert registration.history.first().history_user == registration_admin
    contact = registration.contacts.get()
    assert (contact.full_name, contact.phone) == ("Dana Sullivan", "(410) 555-0142")
    assert response.redirect_chain[-1][0] == f"{REGISTRATIONS}{registration.pk}/change/"
    assert (
        f"Cardiology Subgroup is registered for the CAHPS for MIPS Survey for performance year 2026 by the "
        f"QPP Service Center (registration ID {registration.registration_id}; status: Complete)."
    ) in response.content.decode()
    assert mail.outbox == []  # a CAHPS-only year sends no confirmation e-mail [2023 §IV.3]


def test_a_2021_style_year_e_mails_the_contacts_after_commit(
    admin_client, practice, open_year, django_capture_on_commit_callbacks
):
    data = {
        "organization": practice.pk,
        "performance_year": open_year.pk,
        "program": Program.WEB_INTERFACE,
        "size": Size.LARGE,
        **CONTACT,
    }

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(SERVICE_CENTER, data)

    registration = Registration.objects.get(organization=practice, performance_year=open_year)
    assert registration.web_interface_status == ProgramStatus.REGISTERED
    assert registration.web_interface_source == Source.SERVICE_CENTER
    [message] = mail.outbox
    assert message.to == ["dana@example.com"]
    assert registration.registration_id in message.body


def test_a_refusal_is_shown_on_the_form_and_nothing_is_saved(admin_client, practice, open_year):
    data = {
        "organization": practice.pk,
        "performance_year": open_year.pk,
        "program": Program.WEB_INTERFACE,
        "size": Size.SMALL,
        **CONTACT,
    }

    response = admin_client.post(SERVICE_CENTER, data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors() == [
        "The CMS Web Interface is only available to organizations with 25 or more clinicians. "
        "Select 25–99 or 100 or more clinicians to register for it."
    ]
    assert form["contact_email"].value() == "dana@example.com"  # what was typed stays
    assert not Registration.objects.exists()
    assert not Contact.objects.exists()


def test_a_2021_style_year_needs_a_complete_contact(admin_client, open_year):
    organization = OrganizationFactory()
    data = {
        "organization": organization.pk,
        "performance_year": open_year.pk,
        "program": Program.CAHPS,
        "size": Size.MEDIUM,
    }

    response = admin_client.post(SERVICE_CENTER, data)

    assert "Add at least one contact" in " ".join(response.context["form"].non_field_errors())
    assert not Registration.objects.exists()


def test_contact_mistakes_are_shown_next_to_the_contact_field(admin_client, practice, open_year):
    data = {
        "organization": practice.pk,
        "performance_year": open_year.pk,
        "program": Program.CAHPS,
        "size": Size.MEDIUM,
        **CONTACT,
        "contact_phone": "12",
    }

    response = admin_client.post(SERVICE_CENTER, data)

    assert response.context["form"].errors["contact_phone"]
    assert not Registration.objects.exists()


def test_outside_the_window_the_service_center_is_refused_too(admin_client, practice, year_2021):
    data = {
        "organization": practice.pk,
        "performance_year": year_2021.pk,
        "program": Program.CAHPS,
        "size": Size.MEDIUM,
        **CONTACT,
    }

    response = admin_client.post(SERVICE_CENTER, data)

    assert response.context["form"].non_field_errors() == [
        "Registration for performance year 2021 closed on Wednesday, June 30, 2021 at 8:00 p.m. ET."
    ]
    assert not Registration.objects.exists()


def test_organization_action_opens_the_form_for_that_organization(admin_client, practice, open_year):
    response = admin_client.post(
        "/admin/organizations/organization/",
        {"action": "register_as_service_center", "_selected_action": [practice.pk]},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == f"{SERVICE_CENTER}?organization={practice.pk}"
    assert response.context["form"]["organization"].value() == str(practice.pk)


def test_help_desk_cannot_register_on_behalf(staff_client, help_desk_agent, practice, open_year):
    client = staff_client(help_desk_agent)
    data = {
        "organization": practice.pk,
        "performance_year": open_year.pk,
        "program": Program.CAHPS,
        "size": Size.MEDIUM,
        **CONTACT,
    }

    assert client.get(SERVICE_CENTER).status_code == 403
    assert client.post(SERVICE_CENTER, data).status_code == 403
    assert "Register on behalf" not in client.get(REGISTRATIONS).content.decode()
    assert not Registration.objects.exists()


def test_the_organization_box_finds_organizations_by_name(admin_client, practice):
    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "registrations",
            "model_name": "registration",
            "field_name": "organization",
            "term": "chesa",
        },
    )

    assert [result["id"] for result in response.json()["results"]] == [str(practice.pk)]
