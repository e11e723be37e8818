"""factory-boy factories shared by every test."""

import factory
from django.contrib.auth import get_user_model

from contacts.models import Contact
from organizations.models import Organization, Role, RoleRequest
from registrations.guide_years import GUIDE_YEARS
from registrations.models import PerformanceYear, Registration, Size

TEST_PASSWORD = "correct-horse-battery-staple-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = Organization.Kind.PRACTICE
    identifier = factory.Sequence(lambda n: f"{100000000 + n:09d}")
    name = factory.Sequence(lambda n: f"Practice {n} Medical Group")
    address_line_1 = factory.Sequence(lambda n: f"{n + 1} Main Street")
    city = "Baltimore"
    state = "MD"
    zip_code = "21244"


class VirtualGroupFactory(OrganizationFactory):
    kind = Organization.Kind.VIRTUAL_GROUP
    identifier = factory.Sequence(lambda n: f"VG-{n:05d}")
    name = factory.Sequence(lambda n: f"Virtual Group {n}")


class ApmEntityFactory(OrganizationFactory):
    kind = Organization.Kind.APM_ENTITY
    identifier = factory.Sequence(lambda n: f"A{n:04d}")
    name = factory.Sequence(lambda n: f"APM Entity {n}")
    apm_identifier = "Oncology Care Model"


class SspAcoFactory(ApmEntityFactory):
    aco_type = Organization.AcoType.SHARED_SAVINGS
    apm_identifier = "Shared Savings Program"
    name = factory.Sequence(lambda n: f"Shared Savings ACO {n}")


class NextGenerationAcoFactory(ApmEntityFactory):
    aco_type = Organization.AcoType.NEXT_GENERATION
    apm_identifier = "Next Generation ACO Model"
    identifier = factory.Sequence(lambda n: f"V{n:03d}")
    name = factory.Sequence(lambda n: f"Next Generation ACO {n}")


class SubgroupFactory(OrganizationFactory):
    kind = Organization.Kind.SUBGROUP
    identifier = factory.Sequence(lambda n: f"SG-{n:05d}")
    name = factory.Sequence(lambda n: f"Subgroup {n}")
    parent = factory.SubFactory(OrganizationFactory)


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    kind = Role.Kind.SECURITY_OFFICIAL


class RoleRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleRequest

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.Kind.SECURITY_OFFICIAL


class PerformanceYearFactory(factory.django.DjangoModelFactory):
    """A performance year with the guide's settings for 2020, 2021 or 2023."""

    class Meta:
        model = PerformanceYear
        django_get_or_create = ("year",)

    year = 2021

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        defaults = dict(GUIDE_YEARS.get(kwargs["year"], GUIDE_YEARS[2021]))
        defaults.update({k: v for k, v in kwargs.items() if k != "year"})
        return model_class.objects.update_or_create(year=kwargs["year"], defaults=defaults)[0]


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    organization = factory.SubFactory(OrganizationFactory)
    performance_year = factory.SubFactory(PerformanceYearFactory)
    size = Size.MEDIUM


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    registration = factory.SubFactory(RegistrationFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"contact{n}@example.com")
    phone = factory.Sequence(lambda n: f"(410) 555-{n % 10000:04d}")


def so_of(user, organization):
    """``organization``, with ``user`` as its Security Official."""
    RoleFactory(user=user, organization=organization, kind=Role.Kind.SECURITY_OFFICIAL)
    return organization


def registered(organization, year, *, size, web_interface=True, cahps=True, contacts=1, **contact_fields):
    """A registration of ``organization`` for ``year`` by its Security Official, for the Web
    Interface and/or CAHPS, with ``contacts`` complete contacts."""
    from registrations.models import ProgramStatus, Source

    def program(on):
        return {
            "status": ProgramStatus.REGISTERED if on else ProgramStatus.NOT_REGISTERED,
            "source": Source.SECURITY_OFFICIAL if on else Source.NONE,
        }

    wi, survey = program(web_interface), program(cahps)
    registration = RegistrationFactory(
        organization=organization,
        performance_year=year,
        size=size,
        web_interface_status=wi["status"],
        web_interface_source=wi["source"],
        cahps_status=survey["status"],
        cahps_source=survey["source"],
    )
    ContactFactory.create_batch(contacts, registration=registration, **contact_fields)
    return registration
