"""Load the demo data: performance years, organizations of every kind, demo accounts.

Idempotent: running it again updates the same rows instead of adding more.
Development data only: the accounts share one published password.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from contacts.models import Contact
from organizations.models import Organization, Role
from registrations.admin.staff_groups import HELP_DESK, sync_staff_groups
from registrations.guide_years import GUIDE_YEARS, LIKE_2021, LIKE_2023, open_window_around
from registrations.models import PerformanceYear, ProgramStatus, Registration, Size, Source

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - published demo credential, dev data only

DEMO_USERS = [
    # username, first, last, staff/superuser, what the account is for
    ("demo-so", "Dana", "Sullivan", False, "Security Official of most demo organizations"),
    ("demo-staffuser", "Sam", "Taylor", False, "Staff User of Chesapeake Family Medicine only"),
    ("demo-newuser", "Nora", "Quinn", False, "no roles yet: try Connect to an Organization"),
    ("demo-admin", "Alex", "Morgan", True, "CMS staff: Django admin at /admin/"),
    ("demo-helpdesk", "Hana", "Lopez", False, "Help desk: read-only admin, organization history"),
]
# Staff but not superuser: the Help desk group's permissions (registrations.admin.staff_groups).
HELP_DESK_USERNAME = "demo-helpdesk"

P = Organization.Kind.PRACTICE
VG = Organization.Kind.VIRTUAL_GROUP
APM = Organization.Kind.APM_ENTITY
SUB = Organization.Kind.SUBGROUP

# identifier -> organization fields. demo-so is Security Official of all but the last.
DEMO_ORGANIZATIONS = [
    {
        "kind": P,
        "identifier": "123456789",
        "name": "Chesapeake Family Medicine",
        "address_line_1": "7500 Security Boulevard",
        "city": "Baltimore",
        "state": "MD",
        "zip_code": "21244",
    },
    {
        "kind": P,
        "identifier": "234567890",
        "name": "Harbor Point Pediatrics",
        "address_line_1": "1200 Harbor Point Road",
        "city": "Annapolis",
        "state": "MD",
        "zip_code": "21401",
    },
    {
        "kind": P,
        "identifier": "345678901",
        "name": "Allegheny Health Partners",
        "address_line_1": "600 Grant Street",
        "city": "Pittsburgh",
        "state": "PA",
        "zip_code": "15219",
    },
    {
        # An ACO participant TIN: it may still register itself [2020 §I Who can register].
        "kind": P,
        "identifier": "456789012",
        "name": "Riverbend Internal Medicine (ACO participant)",
        "address_line_1": "45 River Road",
        "city": "Richmond",
        "state": "VA",
        "zip_code": "23219",
    },
    {
        "kind": VG,
        "identifier": "VG-10042",
        "name": "Blue Ridge Virtual Group",
        "address_line_1": "310 Mountain View Drive",
        "city": "Roanoke",
        "state": "VA",
        "zip_code": "24011",
    },
    {
        "kind": APM,
        "identifier": "A1234",
        "name": "Tidewater Accountable Care",
        "apm_identifier": "Shared Savings Program",
        "aco_type": Organization.AcoType.SHARED_SAVINGS,
        "address_line_1": "900 Bay Street",
        "city": "Norfolk",
        "state": "VA",
        "zip_code": "23510",
    },
    {
        "kind": APM,
        "identifier": "V123",
        "name": "Piedmont Next Generation ACO",
        "apm_identifier": "Next Generation ACO Model",
        "aco_type": Organization.AcoType.NEXT_GENERATION,
        "address_line_1": "220 College Avenue",
        "city": "Charlotte",
        "state": "NC",
        "zip_code": "28202",
    },
    {
        "kind": APM,
        "identifier": "A5678",
        "name": "Capital Oncology Partners",
        "apm_identifier": "Oncology Care Model",
        "address_line_1": "1 Independence Avenue SW",
        "city": "Washington",
        "state": "DC",
        "zip_code": "20201",
    },
    {
        "kind": SUB,
        "identifier": "SG-00017",
        "parent": "123456789",
        "name": "Chesapeake Family Medicine – Cardiology Subgroup",
        "address_line_1": "7500 Security Boulevard",
        "city": "Baltimore",
        "state": "MD",
        "zip_code": "21244",
    },
    {
        # No Security Official: a role request for it goes to CMS staff in admin.
        "kind": P,
        "identifier": "567890123",
        "name": "Shenandoah Rural Clinic",
        "address_line_1": "15 Valley Pike",
        "city": "Harrisonburg",
        "state": "VA",
        "zip_code": "22801",
    },
]
WITHOUT_SECURITY_OFFICIAL = {"567890123"}


class Command(BaseCommand):
    help = "Create or refresh the demo performance years, organizations and accounts."

    @transaction.atomic
    def handle(self, *args, **options):
        now = timezone.now()
        years = self.seed_years(now)
        users = self.seed_users()
        self.seed_help_desk(users[HELP_DESK_USERNAME])
        organizations = self.seed_organizations()
        self.seed_roles(users, organizations)
        self.seed_registrations(years, organizations, users["demo-so"])
        self.report(years)

    def seed_years(self, now):
        settings_by_year = dict(GUIDE_YEARS)
        # Two years open now so the portal can be tried today: 2025 works like
        # 2021 (both programs, e-mails) and 2026 like 2023 (CAHPS only, summary).
        settings_by_year[2025] = {**LIKE_2021, **open_window_around(now)}
        settings_by_year[2026] = {**LIKE_2023, **open_window_around(now)}
        return {
            year: PerformanceYear.objects.update_or_create(year=year, defaults=values)[0]
            for year, values in settings_by_year.items()
        }

    def seed_users(self):
        User = get_user_model()
        users = {}
        for username, first, last, is_admin, _purpose in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.first_name, user.last_name = first, last
            user.email = f"{username}@example.com"
            user.is_staff = user.is_superuser = is_admin
            user.is_active = True
            user.set_password(DEMO_PASSWORD)
            user.save()
            EmailAddress.objects.update_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
            users[username] = user
        return users

    def seed_help_desk(self, user):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        if not Group.objects.filter(name=HELP_DESK).exists():
            sync_staff_groups()
        user.groups.set([Group.objects.get(name=HELP_DESK)])

    def seed_organizations(self):
        organizations = {}
        for spec in DEMO_ORGANIZATIONS:
            values = dict(spec)
            kind, identifier = values.pop("kind"), values.pop("identifier")
            parent = values.pop("parent", None)
            lookup = {"kind": kind, "identifier": identifier}
            if parent:
                lookup["parent"] = organizations[parent]
            organizations[identifier] = Organization.objects.update_or_create(**lookup, defaults=values)[0]
        return organizations

    def seed_roles(self, users, organizations):
        for identifier, organization in organizations.items():
            if identifier in WITHOUT_SECURITY_OFFICIAL:
                continue
            Role.objects.update_or_create(
                user=users["demo-so"],
                organization=organization,
                defaults={"kind": Role.Kind.SECURITY_OFFICIAL},
            )
        Role.objects.update_or_create(
            user=users["demo-staffuser"],
            organization=organizations["123456789"],
            defaults={"kind": Role.Kind.STAFF_USER},
        )

    def seed_registrations(self, years, organizations, security_official):
        allegheny = organizations["345678901"]
        # Allegheny submitted quality data through the Web Interface in 2020,
        # so it was registered automatically for 2021 [2020 §I Who needs to register];
        # the same holds in the demo year 2025.
        self.registration(
            years[2020],
            allegheny,
            size=Size.LARGE,
            web_interface=Source.SECURITY_OFFICIAL,
            submitted_web_interface_data=True,
            by=security_official,
        )
        self.registration(years[2021], allegheny, size=Size.LARGE, web_interface=Source.AUTOMATIC)
        self.registration(years[2025], allegheny, size=Size.LARGE, web_interface=Source.AUTOMATIC)
        # Registered for CAHPS in the guide years, to show read-only history.
        self.registration(
            years[2021],
            organizations["123456789"],
            size=Size.MEDIUM,
            cahps=Source.SECURITY_OFFICIAL,
            by=security_official,
        )
        self.registration(
            years[2023],
            organizations["VG-10042"],
            size=Size.SMALL,
            cahps=Source.SECURITY_OFFICIAL,
            by=security_official,
        )

    def registration(self, year, organization, *, size, by=None, web_interface=None, cahps=None, **extra):
        values = {"size": size, **extra}
        for program, source in (("web_interface", web_interface), ("cahps", cahps)):
            if source:
                values.update(
                    {
                        f"{program}_status": ProgramStatus.REGISTERED,
                        f"{program}_source": source,
                        f"{program}_registered_at": year.window_opens,
                        f"{program}_registered_by": by,
                    }
                )
        registration, _ = Registration.objects.update_or_create(
            organization=organization, performance_year=year, defaults=values
        )
        if not registration.contacts.exists():
            Contact.objects.create(
                registration=registration,
                first_name="Dana",
                last_name="Sullivan",
                email="dana.sullivan@example.com",
                phone="(410) 555-0142",
            )
        return registration

    def report(self, years):
        write = self.stdout.write
        write(self.style.SUCCESS("Demo data loaded."))
        for year in sorted(years.values(), key=lambda y: y.year):
            opens = timezone.localtime(year.window_opens).strftime("%Y-%m-%d %H:%M %Z")
            closes = timezone.localtime(year.window_closes).strftime("%Y-%m-%d %H:%M %Z")
            programs = " and ".join(
                name
                for name, offered in (
                    ("Web Interface", year.offers_web_interface),
                    ("CAHPS", year.offers_cahps),
                )
                if offered
            )
            write(f"  Performance year {year.year}: {opens} – {closes} ({programs})")
        write(f"Demo accounts (password {DEMO_PASSWORD!r}, development data only):")
        for username, _first, _last, _is_admin, purpose in DEMO_USERS:
            write(f"  {username:<15} {purpose}")
