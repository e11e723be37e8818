"""Review Organization Information / Update Organization Address [2020 §IV.4, §V]."""

import re

import pytest
from django.core import mail
from django.template import engines
from django.urls import reverse

from organizations.models import Organization
from registrations.models import ProgramStatus, Size, Source
from registrations.web_interface.forms import OrganizationForm
from tests.factories import ContactFactory, OrganizationFactory, RegistrationFactory, RoleFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "Chesapeake Family Medicine",
    "address_line_1": "7500 Security Boulevard",
    "address_line_2": "Suite 200",
    "city": "Baltimore",
    "state": "MD",
    "zip_code": "21244-1850",
}


def edit_url(organization, year=2021, return_to=""):
    url = reverse("registration_organization_edit", kwargs={"year": year, "organization_id": organization.pk})
    return f"{url}?return_to={return_to}" if return_to else url


def stored(organization):
    return Organization.objects.filter(pk=organization.pk).values(*GOOD).get()


def test_form_is_prefilled_with_a_check_mark_beside_each_completed_required_field(
    sign_in, security_official, practice, window_open_2021
):
    page = sign_in(security_official).get(edit_url(practice)).content.decode()

    assert 'value="Chesapeake Family Medicine"' in page
    assert "***-**-6789" in page and "(cannot be edited)" in page
    for field in ("name", "address_line_1", "city", "state", "zip_code"):
        assert f'id="id_{field}-check"' in page
    assert 'id="id_address_line_2-check"' not in page  # optional: no check mark
    assert "Update" in page


def test_empty_required_field_shows_no_check_mark(sign_in, security_official, window_open_2021):
    organization = OrganizationFactory(city="")
    RoleFactory(user=security_official, organization=organization)

    page = sign_in(security_official).get(edit_url(organization)).content.decode()

    assert 'id="id_city-check" hidden' in page
    assert 'id="id_name-check" hidden' not in page


def test_update_saves_and_returns_to_where_it_was_opened(
    sign_in, security_official, practice, window_open_2021
):
    response = sign_in(security_official).post(
        edit_url(practice), {**GOOD, "city": "Woodlawn", "return_to": "submit-cahps"}
    )

    assert response.status_code == 302
    assert response.url == reverse(
        "registration_submit", kwargs={"year": 2021, "organization_id": practice.pk, "program": "cahps"}
    )
    assert stored(practice)["city"] == "Woodlawn"
    assert (
        Organization.history.filter(id=practice.pk).order_by("-history_id").first().history_user
        == security_official
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "zip_code",
            "2124",
            "The ZIP code has 4 digits. Enter 5 digits, like 21244, or ZIP+4, like 21244-1850.",
        ),
        ("zip_code", "21a44", "The ZIP code is not 5 digits or ZIP+4. Enter 5 digits, like 21244, or ZIP+4"),
        ("zip_code", "", "Enter the ZIP code."),
        ("name", "", "Enter the organization name."),
        ("address_line_1", "  ", "Enter the mailing address."),
        ("city", "", "Enter the city."),
        ("state", "", "Select the state."),
        ("state", "XX", "Select a valid choice. XX is not one of the available choices."),
    ],
)
def test_bad_input_rerenders_with_the_message_by_the_field_keeps_what_was_typed_and_saves_nothing(
    sign_in, security_official, practice, window_open_2021, field, value, message
):
    before = stored(practice)
    typed = {**GOOD, "city": "Typed City", field: value}

    response = sign_in(security_official).post(edit_url(practice), typed)

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert f'id="id_{field}_error"' in page
    assert f'href="#id_{field}"' in page  # the error summary links to the field
    if field != "city":
        assert 'value="Typed City"' in page
    assert stored(practice) == before


def test_a_four_digit_zip_code_is_named_with_what_is_wrong_by_the_field_and_in_the_summary(
    sign_in, security_official, practice, window_open_2021
):
    # [issue 28 #19]: the ZIP code's message names the field and says what is wrong with it.
    response = sign_in(security_official).post(edit_url(practice), {**GOOD, "zip_code": "2124"})

    page = response.content.decode()
    problem = "The ZIP code has 4 digits. Enter 5 digits, like 21244, or ZIP+4, like 21244-1850."
    assert f'<span class="usa-error-message" id="id_zip_code_error">{problem}</span>' in page
    assert f'<a class="usa-link" href="#id_zip_code">ZIP Code: {problem}</a>' in page
    # The page's script says the same by the field, in words the server gives it, and the hint under
    # Update names the field to correct.
    field = re.search(r'<input[^>]*id="id_zip_code"[^>]*>', page).group(0)
    assert 'data-pattern-count-message="The ZIP code has {count}. Enter 5 digits, like 21244' in field
    assert 'data-pattern-message="The ZIP code is not 5 digits or ZIP+4. Enter 5 digits' in field
    assert 'data-pattern-label="ZIP Code"' in field
    assert 'data-malformed="Correct the {fields} to select Update."' in page


def test_update_of_a_registered_organization_emails_its_contacts_after_commit(
    sign_in, security_official, practice, window_open_2021, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(
        organization=practice,
        performance_year=window_open_2021,
        size=Size.MEDIUM,
        cahps_status=ProgramStatus.REGISTERED,
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    ContactFactory(registration=registration, email="ada@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        sign_in(security_official).post(edit_url(practice), {**GOOD, "city": "Woodlawn"})

    assert [message.to for message in mail.outbox] == [["ada@example.com"]]
    assert registration.registration_id in mail.outbox[0].body


def test_another_organization_cannot_be_read_or_changed(sign_in, security_official, window_open_2021):
    other = OrganizationFactory(name="Other Practice", city="Towson")
    RoleFactory(organization=other)
    client = sign_in(security_official)

    assert client.get(edit_url(other)).status_code == 404
    assert client.post(edit_url(other), {**GOOD, "city": "Hacked"}).status_code == 404
    assert stored(other)["city"] == "Towson"


def test_outside_the_window_the_form_is_not_offered_and_a_post_changes_nothing(
    sign_in, security_official, practice, window_closed_2021
):
    client = sign_in(security_official)

    page = client.get(edit_url(practice)).content.decode()
    assert "closed on Wednesday, June 30, 2021" in page
    assert 'name="city"' not in page

    response = client.post(edit_url(practice), {**GOOD, "city": "Woodlawn"})
    assert response.status_code == 403
    assert stored(practice)["city"] == "Baltimore"


@pytest.mark.parametrize("state", ["MD", ""])
def test_the_state_select_drawn_by_the_page_is_the_one_the_field_macro_draws(
    state, sign_in, security_official, window_open_2021
):
    # The page draws the State select of an unbound form itself (organization_form.html,
    # state_select), as the form's own field would be drawn: the two stay equal.
    organization = OrganizationFactory(state=state)
    RoleFactory(user=security_official, organization=organization)
    page = sign_in(security_official).get(edit_url(organization)).content.decode()

    form = OrganizationForm(initial=OrganizationForm.initial_for(organization))
    drawn = (
        engines["jinja2"]
        .from_string('{% from "includes/forms.html" import field %}{{ field(form["state"]) }}')
        .render({"form": form})
    )

    def block(html):
        group = re.search(
            r'<div class="usa-form-group">\s*<label class="usa-label" for="id_state">.*?</select>\s*</div>',
            html,
            re.S,
        )
        return [line.strip() for line in group.group(0).splitlines() if line.strip()]

    assert block(page) == block(drawn)
    assert f'<option value="{state}" selected>' in page
