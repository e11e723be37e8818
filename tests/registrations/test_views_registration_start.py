"""*Register* on the main registration page [2020 §IV.1–2, §IV.9]."""

import pytest
from django.core import mail
from django.urls import reverse

from registrations.models import ProgramStatus, Registration, Size, Source
from tests.factories import ContactFactory, RegistrationFactory, registered

pytestmark = pytest.mark.django_db


def start_url(organization, year=2021):
    return reverse("registration_start", kwargs={"year": year, "organization_id": organization.pk})


def submit_url(organization, program, year=2021):
    return reverse(
        "registration_submit", kwargs={"year": year, "organization_id": organization.pk, "program": program}
    )


def register(client, organization, *, program, size=None):
    data = {f"org-{organization.pk}-program": program}
    if size is not None:
        data[f"org-{organization.pk}-size"] = size
    return client.post(start_url(organization), data)


def test_register_keeps_the_size_and_opens_submit_registration(
    sign_in, security_official, practice, window_open_2021
):
    response = register(sign_in(security_official), practice, program="web_interface", size=Size.MEDIUM)

    assert response.status_code == 302
    assert response.url == submit_url(practice, "web-interface") + "#"
    registration = Registration.objects.get(organization=practice, performance_year=window_open_2021)
    assert registration.size == Size.MEDIUM
    # Registered only by Register on the next page.
    assert registration.web_interface_status == ProgramStatus.NOT_REGISTERED


def test_register_without_a_size_says_so_next_to_the_size_and_saves_nothing(
    sign_in, security_official, practice, window_open_2021
):
    response = register(sign_in(security_official), practice, program="cahps", size="")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Select the organization size of Chesapeake Family Medicine before you select Register." in page
    assert f'<span class="usa-error-message" id="id_org-{practice.pk}-size_error">' in page
    assert "There is a problem with Chesapeake Family Medicine" in page
    # The summary sits in the organization's card, and the answer comes back to that card.
    card = page[page.index(f'id="org-{practice.pk}"') :]
    assert "There is a problem with Chesapeake Family Medicine" in card
    assert 'register/#register-errors"' in card
    assert 'id="register-errors"' in card
    assert f'href="#id_org-{practice.pk}-size"' in page
    assert not Registration.objects.exists()


def test_web_interface_with_2_24_is_refused_next_to_the_size_keeping_the_choice(
    sign_in, security_official, practice, window_open_2021
):
    response = register(sign_in(security_official), practice, program="web_interface", size=Size.SMALL)

    page = response.content.decode()
    assert "The CMS Web Interface is only available to organizations with 25 or more clinicians." in page
    assert '<option value="2-24" selected>' in page
    assert not Registration.objects.exists()


def test_second_program_carries_organization_and_contacts_over_and_registers_at_once(
    sign_in, security_official, practice, window_open_2021, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(
        organization=practice,
        performance_year=window_open_2021,
        size=Size.MEDIUM,
        web_interface_status=ProgramStatus.REGISTERED,
        web_interface_source=Source.SECURITY_OFFICIAL,
    )
    ContactFactory(registration=registration, email="ada@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = register(sign_in(security_official), practice, program="cahps")

    assert response.status_code == 302
    assert (
        response.url
        == reverse(
            "registration_congratulations",
            kwargs={"year": 2021, "organization_id": practice.pk, "program": "cahps"},
        )
        + "#"
    )
    registration.refresh_from_db()
    assert registration.cahps_status == ProgramStatus.REGISTERED
    assert [message.to for message in mail.outbox] == [["ada@example.com"]]
    assert registration.registration_id in mail.outbox[0].body


def test_register_outside_the_window_is_refused_and_changes_nothing(
    sign_in, security_official, practice, window_closed_2021
):
    response = register(sign_in(security_official), practice, program="cahps", size=Size.SMALL)

    assert response.status_code == 403
    assert "closed on Wednesday, June 30, 2021 at 8:00 p.m. ET" in response.content.decode()
    assert not Registration.objects.exists()


def test_register_from_registration_details_keeps_the_saved_size(
    sign_in, security_official, practice, window_open_2021
):
    # The size was set back to 25–99 with Edit after a 2–24 change cancelled the Web Interface:
    # registered for nothing, the size saved. Registration Details' Register sends no size.
    RegistrationFactory(organization=practice, performance_year=window_open_2021, size=Size.MEDIUM)

    response = register(sign_in(security_official), practice, program="web_interface")

    assert response.status_code == 302
    assert response.url == submit_url(practice, "web-interface") + "#"
    assert Registration.objects.get(organization=practice).size == Size.MEDIUM


def test_web_interface_without_a_size_is_refused_next_to_that_organization(
    sign_in, security_official, practice, window_open_2021
):
    response = register(sign_in(security_official), practice, program="web_interface", size="")

    page = response.content.decode()
    card = page[page.index(f'id="org-{practice.pk}"') :]
    assert "Select the organization size of Chesapeake Family Medicine before you select Register." in card
    assert not Registration.objects.exists()


def test_the_size_hint_is_gone_once_the_saved_size_allows_the_web_interface(
    sign_in, security_official, practice, window_open_2021
):
    RegistrationFactory(organization=practice, performance_year=window_open_2021, size=Size.MEDIUM)

    page = (
        sign_in(security_official).get(reverse("registration_list", kwargs={"year": 2021})).content.decode()
    )

    assert "Select 25–99 or 100 or more clinicians to register for it." not in page


@pytest.mark.parametrize("outcome", ["submit registration", "congratulations", "already registered"])
def test_a_successful_register_clears_the_forms_error_fragment(
    sign_in, security_official, practice, window_open_2021, outcome
):
    # The card's form is sent to …/register/#register-errors so that a refusal scrolls to its error
    # summary; a redirect without a fragment of its own would keep that one on the page it leads to
    # (…/congratulations/#register-errors) [issue 28 #18].
    client = sign_in(security_official)
    page = client.get(reverse("registration_list", kwargs={"year": 2021})).content.decode()
    assert f'action="{start_url(practice)}#register-errors"' in page
    program = "web_interface"
    if outcome != "submit registration":
        registration = registered(practice, window_open_2021, size=Size.MEDIUM, cahps=False)
        registration.contacts.update(email="ada@example.com")
        program = "cahps" if outcome == "congratulations" else "web_interface"

    response = register(client, practice, program=program, size=Size.MEDIUM)

    expected = {
        "submit registration": submit_url(practice, "web-interface"),
        "congratulations": reverse(
            "registration_congratulations",
            kwargs={"year": 2021, "organization_id": practice.pk, "program": "cahps"},
        ),
        "already registered": reverse("registration_list", kwargs={"year": 2021}),
    }[outcome]
    assert response.status_code == 302
    # An explicit empty fragment: the browser drops the form's.
    assert response.url == f"{expected}#"
