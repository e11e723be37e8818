import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from registrations.models import REGISTRATION_ID_ALPHABET, Registration
from tests.factories import OrganizationFactory, RegistrationFactory, SubgroupFactory


def test_tin_is_masked_to_its_last_four_digits(practice):
    assert practice.masked_identifier == "***-**-6789"


def test_identifier_cannot_be_changed_after_creation(practice):
    practice.identifier = "987654321"
    with pytest.raises(ValidationError):
        practice.save()


def test_name_and_address_can_be_changed(practice):
    practice.name = "Renamed Practice"
    practice.save()
    practice.refresh_from_db()
    assert practice.name == "Renamed Practice"


@pytest.mark.django_db
def test_a_practice_tin_must_be_nine_digits_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganizationFactory(identifier="12345")


@pytest.mark.django_db
def test_subgroup_ids_are_unique_within_their_practice_only():
    first = SubgroupFactory(identifier="SG-1")
    SubgroupFactory(identifier="SG-1")  # another practice: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        SubgroupFactory(identifier="SG-1", parent=first.parent)


@pytest.mark.django_db
def test_one_registration_per_organization_and_year():
    registration = RegistrationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(
            organization=registration.organization,
            performance_year=registration.performance_year,
        )


@pytest.mark.django_db
def test_registration_id_is_quotable_and_unique():
    ids = {RegistrationFactory().registration_id for _ in range(20)}
    assert len(ids) == 20
    for rid in ids:
        prefix, first, second = rid.split("-")
        assert prefix == "QPP"
        assert set(first + second) <= set(REGISTRATION_ID_ALPHABET)
    assert Registration.objects.count() == 20


@pytest.mark.django_db
def test_web_interface_registration_needs_25_or_more_in_the_database():
    registration = RegistrationFactory(size="2-24")
    registration.web_interface_status = "registered"
    registration.web_interface_source = "security_official"
    with pytest.raises(IntegrityError), transaction.atomic():
        registration.save()


def test_a_model_s_history_manager_class_is_made_once_and_still_reads_the_history(db):
    """``Model.history`` hands out a manager of one class made once for the process
    (``qpp_registration.core.history.HistoryManager``), which reads that model's history."""
    from organizations.models import Organization
    from tests.factories import OrganizationFactory

    organization = OrganizationFactory(name="Harbor Family Medicine")
    organization.name = "Harbor Family Medicine Group"
    organization.save()

    assert type(Organization.history) is type(Organization.history)
    assert type(organization.history) is type(Organization.history)
    assert [record.name for record in organization.history.order_by("history_date")] == [
        "Harbor Family Medicine",
        "Harbor Family Medicine Group",
    ]


def test_every_model_is_found_where_its_class_says_it_lives():
    # What `manage.py shell` imports on its own, history models included (HistoricalEmailStop's
    # model lives outside its app's models.py).
    from django.apps import apps
    from django.utils.module_loading import import_string

    for model in apps.get_models():
        assert import_string(f"{model.__module__}.{model.__qualname__}") is model, model
