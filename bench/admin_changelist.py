"""Benchmark: the registration changelist of Django admin with 100,000 registrations.

Loads a PostgreSQL database with 100,000 registrations (and their organizations
and contacts) using ``bulk_create``, then times the changelist, filtered
changelists, searches, the registration page and the CSV export through the
Django test client as a signed-in, two-factor-verified superuser, printing the
median time and the number of SQL queries of each.

    createdb -h 127.0.0.1 -U postgres qpp_bench   # or let the script create it
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qpp_bench .venv/bin/python bench/admin_changelist.py

Options: ``--rows`` (default 100000), ``--repeat`` (default 5), ``--reload`` (drop the
benchmark data and load it again). The data stays between runs, so a second run
only measures. Speed targets live here, never in the test suite.
"""

import argparse
import random
import time
import tracemalloc
from urllib.parse import urlencode

from common import measure, setup, signed_in_client

BATCH = 5000


# --- data ---------------------------------------------------------------------------------------------

WORDS_A = [
    "Chesapeake", "Harbor", "Allegheny", "Blue Ridge", "Piedmont", "Lakeside", "Prairie", "Summit",
    "Riverside", "Cascade", "Magnolia", "Redwood", "Evergreen", "Bayview", "Sierra", "Heartland",
]  # fmt: skip
WORDS_B = ["Family", "Pediatric", "Cardiology", "Oncology", "Community", "Internal", "Women's", "Rural"]
WORDS_C = ["Medicine", "Health Partners", "Medical Group", "Clinic", "Physicians", "Care Associates"]
STATES = ["MD", "PA", "VA", "NY", "OH", "TX", "CA", "FL", "IL", "WA"]


def load(rows, *, reload):
    from django.db import connection

    from contacts.models import Contact
    from organizations.models import Organization
    from registrations.guide_years import GUIDE_YEARS, LIKE_2021, open_window_around
    from registrations.models import PerformanceYear, ProgramStatus, Registration, Size, Source

    existing = Registration.objects.count()
    if existing >= rows and not reload:
        print(f"data already loaded: {existing:,} registrations (use --reload to load again)")
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE contacts_contact, registrations_registration, organizations_role, "
            "organizations_rolerequest, organizations_organization RESTART IDENTITY CASCADE"
        )
    from django.utils import timezone

    years = {}
    for year, settings in GUIDE_YEARS.items():
        years[year] = PerformanceYear.objects.update_or_create(year=year, defaults=settings)[0]
    years[2025] = PerformanceYear.objects.update_or_create(
        year=2025, defaults={**LIKE_2021, **open_window_around(timezone.now())}
    )[0]

    rng = random.Random(2026)
    # Each organization registers in three or four years, so about rows / 3.5 organizations.
    organization_count = rows * 2 // 7 + 1
    organizations = []
    for n in range(organization_count):
        roll = rng.random()
        name = f"{rng.choice(WORDS_A)} {rng.choice(WORDS_B)} {rng.choice(WORDS_C)} {n}"
        common = {
            "name": name,
            "address_line_1": f"{rng.randint(1, 9999)} Main Street",
            "city": "Springfield",
            "state": rng.choice(STATES),
            "zip_code": f"{rng.randint(10000, 99999)}",
        }
        if roll < 0.75:
            organizations.append(Organization(kind="practice", identifier=f"{100000000 + n:09d}", **common))
        elif roll < 0.88:
            organizations.append(Organization(kind="virtual_group", identifier=f"VG-{n:06d}", **common))
        else:
            aco = rng.choice(["", "", "ssp", "ngaco"])
            organizations.append(
                Organization(
                    kind="apm_entity",
                    identifier=f"A{n:06d}",
                    aco_type=aco,
                    apm_identifier="Shared Savings Program" if aco == "ssp" else "Oncology Care Model",
                    **common,
                )
            )
    Organization.objects.bulk_create(organizations, batch_size=BATCH)
    organizations = list(Organization.objects.order_by("pk"))

    registrations = []
    year_cycle = [years[2020], years[2021], years[2023], years[2025]]
    for organization in organizations:
        for year in year_cycle:
            if len(registrations) >= rows:
                break
            if year.year == 2023 and rng.random() < 0.5:
                continue
            size = rng.choice([Size.SMALL, Size.MEDIUM, Size.MEDIUM, Size.LARGE])
            registration = Registration(organization=organization, performance_year=year, size=size)
            if year.offers_web_interface and size != Size.SMALL and rng.random() < 0.5:
                registration.web_interface_status = ProgramStatus.REGISTERED
                registration.web_interface_source = rng.choice(
                    [Source.SECURITY_OFFICIAL, Source.SECURITY_OFFICIAL, Source.AUTOMATIC]
                )
                registration.web_interface_registered_at = year.window_opens
                registration.submitted_web_interface_data = rng.random() < 0.6
            roll = rng.random()
            if roll < 0.55:
                registration.cahps_status = ProgramStatus.REGISTERED
                registration.cahps_source = rng.choice([Source.SECURITY_OFFICIAL, Source.SERVICE_CENTER])
                registration.cahps_registered_at = year.window_opens
            elif roll < 0.65 and year.is_cahps_only:
                registration.cahps_status = ProgramStatus.INCOMPLETE
                registration.cahps_source = Source.SECURITY_OFFICIAL
            registrations.append(registration)
        if len(registrations) >= rows:
            break
    Registration.objects.bulk_create(registrations, batch_size=BATCH)

    contacts = []
    for registration_id in Registration.objects.values_list("pk", flat=True).iterator(chunk_size=BATCH):
        for k in range(rng.choice([1, 1, 2, 3])):
            contacts.append(
                Contact(
                    registration_id=registration_id,
                    first_name=rng.choice(["Ana", "Ben", "Chen", "Dana", "Eli", "Fatima", "Gus"]),
                    last_name=rng.choice(["Lopez", "Smith", "Nguyen", "Okafor", "Patel", "Rossi"]),
                    email=f"contact{registration_id}-{k}@practice{registration_id % 997}.example.org",
                    phone=f"(410) 555-{registration_id % 10000:04d}",
                )
            )
        if len(contacts) >= BATCH:
            Contact.objects.bulk_create(contacts, batch_size=BATCH)
            contacts = []
    Contact.objects.bulk_create(contacts, batch_size=BATCH)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"loaded {Organization.objects.count():,} organizations, {Registration.objects.count():,} "
        f"registrations, {Contact.objects.count():,} contacts in {time.perf_counter() - started:.1f} s"
    )


# --- measuring ----------------------------------------------------------------------------------------


def admin_client():
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin",
        defaults={"is_staff": True, "is_superuser": True, "email": "bench@example.org"},
    )
    return signed_in_client(user)


def measure_export(client, label, url):
    """Time a whole download and the most Python memory it held at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tracemalloc.start()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        lines = size = 0
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
            size += len(chunk)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows = lines - 1
    print(
        f"  {label:<28} {rows:>7,} rows {size / 1e6:6.1f} MB {elapsed:6.2f} s "
        f"({rows / elapsed:,.0f} rows/s), {len(queries.captured_queries)} queries, "
        f"peak Python memory {peak / 1e6:.1f} MB"
    )


def run(repeat):
    from contacts.models import Contact
    from registrations.models import PerformanceYear, Registration

    client = admin_client()
    base = "/admin/registrations/registration/"
    year_2021 = PerformanceYear.objects.get(year=2021)
    registrations = Registration.objects.select_related("organization").order_by("pk")
    sample = registrations[registrations.count() // 2]
    tin = registrations.filter(organization__kind="practice").last().organization.identifier
    email = Contact.objects.order_by("pk").values_list("email", flat=True)[1000]
    cahps_2021 = {"performance_year__id__exact": year_2021.pk, "program_status": "cahps_registered"}

    def q(**params):
        return f"{base}?{urlencode(params)}"

    pages = [
        ("changelist, unfiltered", base),
        ("changelist, page 1000", q(p=1000)),
        ("changelist, sorted by organization name", q(o="2")),
        ("filter: 2021, CAHPS registered", q(**cahps_2021)),
        (
            "filter: practices 25-99 registered automatically",
            q(organization__kind__exact="practice", size__exact="25-99", source="automatic"),
        ),
        ("filter: SSP ACOs", q(organization__aco_type__exact="ssp")),
        ("search: registration ID", q(q=sample.registration_id)),
        ("search: TIN with dashes", q(q=f"{tin[:3]}-{tin[3:5]}-{tin[5:]}")),
        ("search: organization name (2 words)", q(q="harbor pediatric")),
        ("search: organization name (whole name)", q(q=sample.organization.name)),
        ("search: contact e-mail", q(q=email)),
        ("search + filter: name in 2021", q(q="summit", performance_year__id__exact=year_2021.pk)),
        ("registration page with history", f"{base}{sample.pk}/change/"),
    ]
    print(f"\n{'page':<50} {'median':>11} {'slowest':>11} {'queries':>7} {'slowest SQL':>12}")
    for label, url in pages:
        measure(client, label, url, repeat)
    print("\nCSV exports (downloads, streamed: no page-time target)")
    measure_export(client, "2021, CAHPS registered", f"{base}export/?{urlencode(cahps_2021)}")
    measure_export(client, "everything", f"{base}export/")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reload", action="store_true")
    args = parser.parse_args()
    setup()
    load(args.rows, reload=args.reload)
    run(args.repeat)


if __name__ == "__main__":
    main()
