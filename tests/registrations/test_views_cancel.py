"""Cancel Registration → *Continue* / *Cancel* [2020 §VII]."""

import pytest
from django.core import mail
from django.urls import reverse

from registrations.models import ProgramStatus, Size, Source
from tests.factories import ContactFactory, OrganizationFactory, RegistrationFactory, RoleFactory

pytestmark = pytest.mark.django_db


def cancel_url(organization, program="cahps", year=2021):
    return reverse(
        "registration_cancel", kwargs={"year": year, "organization_id": organization.pk, "program": program}
    )


def registered_for_cahps(organization, year):
    registration = RegistrationFactory(
        organization=organization,
        performance_year=year,
        size=Size.MEDIUM,
        cahps_status=ProgramStatus.REGISTERED,
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    ContactFactory(registration=registration, email="ada@example.com")
    ContactFactory(registration=registration, email="bo@example.com")
    return registration


def test_cancel_asks_to_continue_or_cancel_first(sign_in, security_official, practice, window_open_2021):
    registration = registered_for_cahps(practice, window_open_2021)

    page = sign_in(security_official).get(cancel_url(practice)).content.decode()

    assert ">Continue</button>" in page
    assert ">Cancel</a>" in page
    assert registration.registration_id in page
    registration.refresh_from_db()
    assert registration.cahps_status == ProgramStatus.REGISTERED


def test_continue_cancels_quotes_the_id_emails_every_contact_and_the_list_shows_not_registered(
    sign_in, security_official, practice, window_open_2021, django_capture_on_commit_callbacks
):
    registration = registered_for_cahps(practice, window_open_2021)
    client = sign_in(security_official)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(cancel_url(practice))

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.cahps_status == ProgramStatus.NOT_REGISTERED
    assert sorted(message.to[0] for message in mail.outbox) == ["ada@example.com", "bo@example.com"]
    assert all(registration.registration_id in message.body for message in mail.outbox)
    page = client.get(response.url).content.decode()
    assert "You have successfully cancelled the CAHPS for MIPS Survey registration" in page
    assert registration.registration_id in page
    assert (
        'Register<span class="usa-sr-only"> Chesapeake Family Medicine for the CAHPS for MIPS Survey' in page
    )


def test_registering_again_after_cancelling_keeps_the_registration_id(
    sign_in, security_official, practice, window_open_2021
):
    registration = registered_for_cahps(practice, window_open_2021)
    registration_id = registration.registration_id
    client = sign_in(security_official)
    client.post(cancel_url(practice))

    client.post(
        reverse("registration_start", kwargs={"year": 2021, "organization_id": practice.pk}),
        {f"org-{practice.pk}-program": "cahps", f"org-{practice.pk}-size": Size.MEDIUM},
    )
    response = client.post(
        reverse(
            "registration_submit", kwargs={"year": 2021, "organization_id": practice.pk, "program": "cahps"}
        )
    )

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.cahps_status == ProgramStatus.REGISTERED
    assert registration.registration_id == registration_id
    assert registration_id in client.get(response.url).content.decode()


def test_cancelling_a_program_that_is_not_registered_goes_back_to_the_list(
    sign_in, security_official, practice, window_open_2021
):
    registered_for_cahps(practice, window_open_2021)

    response = sign_in(security_official).post(cancel_url(practice, program="web-interface"))

    assert response.status_code == 302
    assert mail.outbox == []


def test_another_organizations_registration_cannot_be_cancelled(sign_in, security_official, window_open_2021):
    other = OrganizationFactory()
    RoleFactory(organization=other)
    registration = registered_for_cahps(other, window_open_2021)
    client = sign_in(security_official)

    assert client.get(cancel_url(other)).status_code == 404
    assert client.post(cancel_url(other)).status_code == 404
    registration.refresh_from_db()
    assert registration.cahps_status == ProgramStatus.REGISTERED


def test_outside_the_window_cancel_is_refused(sign_in, security_official, practice, window_closed_2021):
    registration = registered_for_cahps(practice, window_closed_2021)
    client = sign_in(security_official)

    assert ">Continue</button>" not in client.get(cancel_url(practice)).content.decode()
    response = client.post(cancel_url(practice))
    assert response.status_code == 403
    assert "closed on Wednesday, June 30, 2021" in response.content.decode()
    registration.refresh_from_db()
    assert registration.cahps_status == ProgramStatus.REGISTERED
    assert mail.outbox == []
