"""Benchmark: a Security Official's pages as the number of their organizations grows.

Makes two Security Officials, one of 30 organizations and one of 1,000 (practices,
virtual groups, APM Entities; half registered in the open year 2025, a third registered in
the CAHPS-only year 2026 besides ``MATCHES`` started there, and one practice each whose 2025
Web Interface registration is started), then times each page of ``load.page_list`` (the
pages of ``bench/load.py`` and ``bench/page_cost.py``, same labels; the second Overview, of
another official, aside) for both and prints the ratio of the two. Lists are paginated and
their queries do not depend on the number of organizations, so a page should cost about the
same for both: a ratio well above 1 is a page that grows with the organizations. The last
column is the size of each side's page.

A narrowed list is compared at the same length on both sides, so that its ratio is what the
other 970 organizations cost and not the drawing of more rows: the search (``load.SEARCH``,
"harbor") finds ``MATCHES`` organizations of each official, and the CAHPS status filter
(``load.STATUS``, incomplete) ``MATCHES`` of each. Two lists keep the data's proportions: the
Overview's status filter (not registered in 2025: half of each official's organizations, 15
rows against a page of 25) and the CAHPS list's first tab (APM Entities, about a sixth: 5
rows against 25).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qpp_bench_portal .venv/bin/python bench/portal_pages.py

Options: ``--many`` (default 1000), ``--few`` (default 30), ``--repeat`` (default 15). The
script replaces its own users' organizations on every run, and removes the history their
removal wrote; other data stays.
"""

import argparse
import random
import statistics
import time

import load as bench_load
from common import setup, signed_in_client

# The search's word names MATCHES organizations of each official; the rest are named from OTHER_NAMES.
SEARCHED_NAME = "Harbor"
OTHER_NAMES = ["Summit", "Prairie", "Lakeside", "Cascade", "Magnolia", "Redwood", "Bayview"]
KINDS = ["Family Medicine", "Pediatrics", "Cardiology", "Health Partners", "Medical Group"]
# How many organizations of each official a narrowed list finds: its search, and its CAHPS
# registrations the status filter asks for (incomplete; the others are registered).
MATCHES = 12


def load_official(username, count, rng):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from organizations.models import Organization, Role
    from registrations.guide_years import LIKE_2021, LIKE_2023, open_window_around
    from registrations.models import PerformanceYear, ProgramStatus, Registration, Size, Source

    now = timezone.now()
    year_2025 = PerformanceYear.objects.update_or_create(
        year=2025, defaults={**LIKE_2021, **open_window_around(now)}
    )[0]
    year_2026 = PerformanceYear.objects.update_or_create(
        year=2026, defaults={**LIKE_2023, **open_window_around(now)}
    )[0]
    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": "Bench", "last_name": "Official"}
    )
    prefix = {"bench-so-few": 7, "bench-so-many": 8}[username]
    # Registrations protect their organization: remove the previous run's in that order, and
    # the history their removal wrote (else every run adds a thousand rows to the history the
    # Overview's status reads).
    previous = list(Organization.objects.filter(roles__user=user).values_list("pk", flat=True))
    Registration.objects.filter(organization__in=previous).delete()
    Organization.objects.filter(pk__in=previous).delete()
    Registration.history.filter(organization_id__in=previous).delete()
    Role.history.filter(organization_id__in=previous).delete()
    Organization.history.filter(id__in=previous).delete()
    organizations = []
    for n in range(count):
        first_word = SEARCHED_NAME if n < MATCHES else rng.choice(OTHER_NAMES)
        name = f"{first_word} {rng.choice(KINDS)} {username[-4:]} {n}"
        address = {
            "address_line_1": f"{n} Main Street",
            "city": "Baltimore",
            "state": "MD",
            "zip_code": "21201",
        }
        roll = rng.random()
        if roll < 0.7:
            kind, identifier = "practice", f"{prefix}{n:08d}"
        elif roll < 0.85:
            kind, identifier = "virtual_group", f"VG-{prefix}{n:06d}"
        else:
            kind, identifier = "apm_entity", f"A{prefix}{n:06d}"
        organizations.append(Organization(kind=kind, identifier=identifier, name=name, **address))
    organizations = Organization.objects.bulk_create(organizations)
    Role.objects.bulk_create(
        Role(user=user, organization=organization, kind=Role.Kind.SECURITY_OFFICIAL)
        for organization in organizations
    )
    registrations = []
    incomplete = 0
    for organization in organizations:
        if rng.random() < 0.5:
            registrations.append(
                Registration(
                    organization=organization,
                    performance_year=year_2025,
                    size=Size.MEDIUM,
                    cahps_status=ProgramStatus.REGISTERED,
                    cahps_source=Source.SECURITY_OFFICIAL,
                )
            )
        # The first MATCHES of the 2026 registrations are incomplete.
        if rng.random() < 0.33 or incomplete < MATCHES:
            status = ProgramStatus.INCOMPLETE if incomplete < MATCHES else ProgramStatus.REGISTERED
            incomplete += 1
            registrations.append(
                Registration(
                    organization=organization,
                    performance_year=year_2026,
                    size=Size.SMALL,
                    cahps_status=status,
                    cahps_source=Source.SECURITY_OFFICIAL,
                )
            )
    Registration.objects.bulk_create(registrations)
    # Fresh planner statistics and no dead rows, as autovacuum keeps them in a running
    # database: without statistics PostgreSQL guesses one row per user and joins a thousand
    # organizations in a nested loop (425 ms instead of 4 ms for the CAHPS list of the
    # 1,000-organization user); the rows each run deletes made every run's searches slower.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return user, organizations


def pages(user, organizations):
    """``load.page_list`` (the pages of every benchmark, same labels) for ``user``: its first
    organization with a 2025 registration, a practice with no 2025 registration whose Web
    Interface registration it starts here (Submit Registration, Organization Information, Add
    contact), and its first organization with a 2026 registration (Register for CAHPS)."""
    from registrations.models import Registration

    client = signed_in_client(user)
    by_year = {
        year: set(
            Registration.objects.filter(
                organization__in=organizations, performance_year__year=year
            ).values_list("organization_id", flat=True)
        )
        for year in (2025, 2026)
    }
    registered = next(o.pk for o in organizations if o.pk in by_year[2025])
    started = next(o.pk for o in organizations if o.kind == "practice" and o.pk not in by_year[2025])
    bench_load.start_web_interface(client, started)
    cahps_started = next(o.pk for o in organizations if o.pk in by_year[2026])
    # The Overview of a second, larger official is what this script compares anyway.
    return [
        (label, path)
        for label, _username, path in bench_load.page_list(
            user.username, registered=registered, started=started, cahps_started=cahps_started
        )
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--few", type=int, default=30)
    parser.add_argument("--many", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    setup()
    rng = random.Random(2026)
    few_user, few_orgs = load_official("bench-so-few", args.few, rng)
    many_user, many_orgs = load_official("bench-so-many", args.many, rng)
    few_client, many_client = signed_in_client(few_user), signed_in_client(many_user)

    print(f"\nA Security Official of {args.few} organizations against one of {args.many}:")
    print(f"{'page':<40} {'few':>9} {'many':>9} {'ratio':>6} {'min ratio':>9} {'queries':>7} {'HTML':>13}")
    for (label, url_few), (_, url_many) in zip(
        pages(few_user, few_orgs), pages(many_user, many_orgs), strict=True
    ):
        print(f"{label:<40} {compare(few_client, url_few, many_client, url_many, args.repeat)}")


def compare(few_client, url_few, many_client, url_many, repeat):
    """The two users' medians, ratio, ratio of the fastest, query counts and page sizes for one
    page."""
    runs = {"few": (few_client, url_few, []), "many": (many_client, url_many, [])}
    sizes = []
    for client, url, _ in runs.values():
        response = client.get(url)  # warm: templates, query plans
        assert response.status_code == 200, url
        sizes.append(len(response.content) / 1000)
    # Interleaved, each round in the other order, so that a busy spell of this shared
    # machine lands on both sides rather than on one of them.
    for round_ in range(repeat):
        for name in ("few", "many") if round_ % 2 == 0 else ("many", "few"):
            client, url, times = runs[name]
            times.append(timed(client, url))
    (few_times, few_queries), (many_times, many_queries) = (
        ([t for t, _ in times], times[-1][1]) for _, _, times in runs.values()
    )
    few_time, many_time = statistics.median(few_times), statistics.median(many_times)
    return (
        f"{few_time * 1000:6.1f} ms {many_time * 1000:6.1f} ms "
        f"{many_time / few_time:6.2f} {min(many_times) / min(few_times):9.2f} "
        f"{few_queries:>2}→{many_queries:<2}    {sizes[0]:3.0f}→{sizes[1]:<3.0f} kB"
    )


def timed(client, url):
    """Seconds for one request of ``url`` and the number of its SQL queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, len(queries)


if __name__ == "__main__":
    main()
