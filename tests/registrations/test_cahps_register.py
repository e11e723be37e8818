"""Register Group for CAHPS and the Register for CAHPS page [2023 §III.7–8, §IV]."""

import pytest
from django.core import mail
from django.urls import reverse

from organizations.models import Role
from registrations.models import ProgramStatus, Registration, Size, Source
from tests.factories import (
    ContactFactory,
    RegistrationFactory,
    RoleFactory,
    SspAcoFactory,
    SubgroupFactory,
    registered,
)

pytestmark = pytest.mark.django_db


def register_url(organization, year=2023):
    return reverse("cahps_register", kwargs={"year": year, "organization_id": organization.pk})


def page_url(organization, year=2023):
    return reverse("cahps_registration", kwargs={"year": year, "organization_id": organization.pk})


def test_register_group_for_cahps_creates_the_registration_and_its_id(
    sign_in, security_official, practice, window_open_2023
):
    client = sign_in(security_official)

    response = client.post(register_url(practice))

    registration = Registration.objects.get(organization=practice, performance_year=window_open_2023)
    assert response.status_code == 302
    assert response.url == page_url(practice)
    # Started once the size is chosen [2023 §IV.1]; until then nothing shows on the list.
    assert registration.cahps_status == ProgramStatus.NOT_REGISTERED
    page = client.get(page_url(practice)).content.decode()
    assert "Register for CAHPS" in page
    assert registration.registration_id in page
    assert "Contacts receiving updates" in page
    assert "Organization Size" in page
    assert "+ Add another contact" in page


def test_registering_twice_keeps_one_registration(sign_in, security_official, practice, window_open_2023):
    client = sign_in(security_official)

    client.post(register_url(practice))
    client.post(register_url(practice))

    assert Registration.objects.filter(organization=practice).count() == 1


def test_the_first_contact_starts_with_the_signed_in_users_name(
    sign_in, security_official, practice, window_open_2023
):
    client = sign_in(security_official)
    client.post(register_url(practice))

    response = client.get(page_url(practice))

    form = response.context["new_form"]
    assert form.initial == {"first_name": "Sam", "last_name": "Official"}
    page = response.content.decode()
    assert 'value="Sam"' in page and 'value="Official"' in page
    # Required fields are marked with an asterisk [2023 §IV.2].
    assert page.count('<abbr title="required" class="usa-hint usa-hint--required">*</abbr>') >= 5


def test_re_registering_after_a_deletion_keeps_the_id_and_restores_the_status(
    sign_in, security_official, practice, window_open_2023
):
    registration = RegistrationFactory(
        organization=practice, performance_year=window_open_2023, size=Size.MEDIUM
    )
    ContactFactory(registration=registration)
    original_id = registration.registration_id

    response = sign_in(security_official).post(register_url(practice))

    registration.refresh_from_db()
    assert response.status_code == 302
    assert registration.registration_id == original_id
    assert registration.cahps_status == ProgramStatus.REGISTERED
    assert registration.cahps_source == Source.SECURITY_OFFICIAL
    # No confirmation e-mail in a CAHPS-only year [2023 §IV.3].
    assert mail.outbox == []


def test_register_is_refused_outside_the_window_and_creates_nothing(
    sign_in, security_official, practice, window_closed_2023
):
    response = sign_in(security_official).post(register_url(practice))

    assert response.status_code == 403
    assert "closed on Friday, June 30, 2023 at 8:00 p.m. ET" in response.content.decode()
    assert not Registration.objects.exists()


def test_a_subgroup_cannot_register_itself(sign_in, security_official, practice, window_open_2023):
    subgroup = SubgroupFactory(parent=practice)
    RoleFactory(user=security_official, organization=subgroup, kind=Role.Kind.SECURITY_OFFICIAL)

    response = sign_in(security_official).post(register_url(subgroup))

    assert response.status_code == 403
    assert "QPP Service Center completes a subgroup" in response.content.decode()
    assert not Registration.objects.exists()


def test_a_shared_savings_aco_is_registered_automatically_and_cannot_register(
    sign_in, security_official, window_open_2023
):
    aco = SspAcoFactory()
    RoleFactory(user=security_official, organization=aco, kind=Role.Kind.SECURITY_OFFICIAL)

    response = sign_in(security_official).post(register_url(aco))

    assert response.status_code == 403
    assert "Automatically registered" in response.content.decode()
    assert not Registration.objects.exists()


def test_the_page_without_a_registration_sends_back_to_the_list(
    sign_in, security_official, practice, window_open_2023
):
    response = sign_in(security_official).get(page_url(practice))

    assert response.status_code == 302
    assert response.url.startswith(reverse("cahps_registration_list", kwargs={"year": 2023}))
    assert not Registration.objects.exists()


def test_outside_the_window_the_page_is_read_only_with_the_dates(
    sign_in, security_official, practice, window_closed_2023
):
    registration = RegistrationFactory(
        organization=practice,
        performance_year=window_closed_2023,
        size=Size.SMALL,
        cahps_status=ProgramStatus.REGISTERED,
        cahps_source=Source.SECURITY_OFFICIAL,
    )
    ContactFactory(registration=registration, first_name="Dana", last_name="Sullivan")

    response = sign_in(security_official).get(page_url(practice))
    page = response.content.decode()

    assert response.status_code == 200
    assert "closed on Friday, June 30, 2023 at 8:00 p.m. ET" in page
    assert "Dana Sullivan" in page
    assert "2–24 clinicians" in page
    assert "<form" not in page.split("Register for CAHPS", 2)[-1].split("Back to List")[0]
    assert "Delete Registration" not in page
    assert "Download Group CAHPS Registration Summary" in page


def test_a_subgroup_registered_by_the_service_center_is_shown_read_only(
    sign_in, security_official, practice, window_open_2023
):
    subgroup = SubgroupFactory(parent=practice, name="Cardiology Subgroup")
    RoleFactory(user=security_official, organization=subgroup, kind=Role.Kind.SECURITY_OFFICIAL)
    RegistrationFactory(
        organization=subgroup,
        performance_year=window_open_2023,
        size=Size.SMALL,
        cahps_status=ProgramStatus.INCOMPLETE,
        cahps_source=Source.SERVICE_CENTER,
    )

    page = sign_in(security_official).get(page_url(subgroup)).content.decode()

    assert "Completed by the QPP Service Center" in page
    assert "1-866-288-8292" in page
    assert "Save size" not in page
    assert "Delete Registration" not in page


def test_a_year_with_the_web_interface_has_no_cahps_pages(
    sign_in, security_official, practice, window_open_2021
):
    client = sign_in(security_official)

    assert client.post(register_url(practice, 2021)).status_code == 404
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    "initial",
    [
        None,
        {"first_name": "Sam", "last_name": "Official"},
        {
            "first_name": 'Zoë "Z" <O\'Neil> & co',
            "last_name": "Smith",
            "phone": "410-555-0123",
            "email": "z@example.com",
            "edit_token": "2023-05-01T12:00:00+00:00",
        },
    ],
)
@pytest.mark.parametrize("auto_id", ["contact-new-%s", "contact-new-__n__-%s", "contact-12-%s"])
def test_a_contact_form_drawn_without_the_form_is_the_forms_html(initial, auto_id):
    from django.template.loader import get_template

    from registrations.cahps.forms import CahpsContactForm, DrawnContactForm

    template = get_template("registrations/cahps/_contact_form.html").template
    contact_form = template.module.contact_form

    def drawn(form):
        return str(contact_form("CSRF", form, "12", 1, "/save/", submission_key=""))  # not a new key each

    assert drawn(DrawnContactForm(initial=initial, auto_id=auto_id)) == drawn(
        CahpsContactForm(initial=initial, auto_id=auto_id)
    )


def test_the_page_carries_each_contacts_edit_token_and_values_as_saved(
    sign_in, security_official, practice, window_open_2023
):
    registration = registered(practice, window_open_2023, size=Size.SMALL, web_interface=False)
    ContactFactory.create_batch(2, registration=registration)
    client = sign_in(security_official)

    page = client.get(page_url(practice)).content.decode()

    contacts = list(registration.contacts.order_by("created_at", "pk"))
    assert len(contacts) >= 2
    for contact in contacts:
        assert f'name="edit_token" value="{contact.edit_token}" id="contact-{contact.pk}-edit_token"' in page
        assert f'value="{contact.email}"' in page
    positions = [page.index(f'id="contact-{contact.pk}"') for contact in contacts]
    assert positions == sorted(positions)


@pytest.mark.parametrize("size", [None, "", Size.SMALL, Size.MEDIUM, Size.LARGE])
def test_the_size_radios_drawn_without_the_form_are_the_forms_html(size):
    import re

    from django.template.loader import get_template

    from registrations.cahps.forms import CahpsSizeForm, DrawnSizeField

    field = get_template("includes/forms.html").template.module.field
    size_field = get_template("registrations/cahps/_size_field.html").template.module.size_field

    def spaced(html):
        return re.sub(r"\s+", " ", str(html)).strip()

    form = CahpsSizeForm(initial={"size": size}, auto_id="size-%s")
    drawn = spaced(size_field(DrawnSizeField(size, auto_id="size-%s")))
    assert drawn == spaced(field(form["size"]))
    assert (" checked" in drawn) == bool(size)


def test_the_deadline_reminder_box_shows_while_incomplete_and_not_once_complete(
    sign_in, security_official, practice, window_open_2023
):
    # [issue 28 #15]: registrations.reminders reminds an Incomplete registration, never a Complete one.
    registration = registered(practice, window_open_2023, size=Size.SMALL, web_interface=False)
    client = sign_in(security_official)

    page = client.get(page_url(practice)).content.decode()
    assert "Deadline reminders" not in page
    assert "Stop deadline reminders" not in page

    registration.cahps_status = ProgramStatus.INCOMPLETE
    registration.save()
    page = client.get(page_url(practice)).content.decode()
    assert (
        "While the CAHPS for MIPS Survey registration of Chesapeake Family Medicine is not Complete, you get "
        "an e-mail 14, 3 and 1 days before registration closes on Friday, June 30, 2023 at 8:00 p.m. ET."
    ) in page
    assert "data-reminders" in page
