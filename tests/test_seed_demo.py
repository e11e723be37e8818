from io import StringIO

from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone

from organizations.models import Organization, Role
from registrations.models import PerformanceYear, Registration, Source


def seed():
    output = StringIO()
    call_command("seed_demo", stdout=output)
    return output.getvalue()


def test_seed_demo_is_idempotent(db):
    seed()
    counts = (Organization.objects.count(), Registration.objects.count(), Role.objects.count())
    seed()
    assert (Organization.objects.count(), Registration.objects.count(), Role.objects.count()) == counts


def test_demo_accounts_sign_in_with_the_published_password(db):
    assert "demo-password-2026" in seed()
    for username in ("demo-so", "demo-staffuser", "demo-newuser", "demo-admin"):
        assert authenticate(username=username, password="demo-password-2026") is not None
    admin = authenticate(username="demo-admin", password="demo-password-2026")
    assert admin.is_staff and admin.is_superuser


def test_demo_years_2025_and_2026_are_open_now_and_configured_like_2021_and_2023(db):
    seed()
    now = timezone.now()
    like_2021 = PerformanceYear.objects.get(year=2025)
    like_2023 = PerformanceYear.objects.get(year=2026)
    for year in (like_2021, like_2023):
        assert year.window_opens <= now < year.window_closes
        assert timezone.localtime(year.window_opens).hour == 10
        assert timezone.localtime(year.window_closes).hour == 20
    assert like_2021.offers_web_interface and like_2021.sends_confirmation_emails
    assert like_2023.is_cahps_only and like_2023.offers_summary_download
    assert not like_2023.sends_confirmation_emails
    assert set(PerformanceYear.objects.values_list("year", flat=True)) == {2020, 2021, 2023, 2025, 2026}


def test_demo_data_has_every_kind_and_the_special_cases(db):
    seed()
    kinds = set(Organization.objects.values_list("kind", flat=True))
    assert kinds == {"practice", "virtual_group", "apm_entity", "subgroup"}
    assert Organization.objects.filter(aco_type=Organization.AcoType.SHARED_SAVINGS).exists()
    assert Organization.objects.filter(aco_type=Organization.AcoType.NEXT_GENERATION).exists()
    assert Registration.objects.filter(
        performance_year__year=2025, web_interface_source=Source.AUTOMATIC
    ).exists()
    # demo-staffuser is only a Staff User; one organization has no Security Official.
    assert set(Role.objects.filter(user__username="demo-staffuser").values_list("kind", flat=True)) == {
        Role.Kind.STAFF_USER
    }
    assert Organization.objects.exclude(roles__kind=Role.Kind.SECURITY_OFFICIAL).count() == 1


def test_the_readme_says_how_to_change_the_address_of_make_run():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()

    assert "make run PORT=8080" in readme
    assert "HOST=" in readme


def test_the_organizations_the_readme_offers_demo_newuser_can_be_requested(db, client):
    import re
    from pathlib import Path

    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from organizations.models import RoleRequest
    from tests.conftest import sign_in_with_two_factor

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    row = next(line for line in readme.splitlines() if line.startswith("| `demo-newuser`"))
    offers = re.findall(r"TIN `(\d{9})`, (?:name )?\*([^*]+)\*", row)
    assert len(offers) == 2
    seed()
    sign_in_with_two_factor(client, get_user_model().objects.get(username="demo-newuser"))
    for tin, name in offers:
        data = {
            "kind": "practice",
            "identifier": tin,
            "name": name,
            "action": "request",
            "role": "security_official",
        }
        client.post(reverse("connect_organization"), data)
        assert RoleRequest.objects.filter(
            organization__identifier=tin, user__username="demo-newuser"
        ).exists()


def test_demo_help_desk_agent_is_staff_in_the_help_desk_group_and_sees_organization_history(db, client):
    from organizations.models import Organization
    from tests.conftest import sign_in_with_two_factor

    seed()
    agent = authenticate(username="demo-helpdesk", password="demo-password-2026")
    assert agent.is_staff and not agent.is_superuser
    assert list(agent.groups.values_list("name", flat=True)) == ["Help desk"]
    organization = Organization.objects.get(identifier="345678901")

    response = sign_in_with_two_factor(client, agent).get(
        f"/admin/organizations/organization/{organization.pk}/full-history/"
    )

    assert response.status_code == 200
    assert "Allegheny Health Partners" in response.content.decode()
