"""What the benchmarks share: a PostgreSQL database they may fill, Django set up as the tests
set it up, and timing a page through the test client with its SQL query count."""

import logging
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qpp_registration.settings.test")

import django

TARGET_SECONDS = 0.5  # "well under a second" [issue 7]: every page should beat this


def ensure_database(url):
    """Create the database named in DATABASE_URL when it does not exist yet."""
    import psycopg2
    from psycopg2 import sql

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    connection = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")
    connection.close()


def setup():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database this benchmark may fill, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/qpp_bench "
            ".venv/bin/python bench/<script>.py"
        )
    ensure_database(url)
    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's "testserver" host, locmem e-mail
    logging.getLogger("qpp").setLevel(logging.WARNING)  # no sign-in lines between the results
    call_command("migrate", verbosity=0)
    call_command("createcachetable")  # the shared cache when it is the database: throttles


def signed_in_client(user):
    """A test client signed in as ``user`` with the second factor passed, as a code would."""
    from django.test import Client

    from accounts.two_factor import verify_session

    client = Client()
    client.force_login(user)  # the password step (starts the session clocks)
    session = client.session
    verify_session(session)  # the one-time code step: every page needs both
    session.save()
    return client


def time_page(client, url, repeat):
    """Request ``url`` once to warm the caches (templates, query plans), then ``repeat`` times.

    Returns the times in seconds and the queries of the last request.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
            times.append(time.perf_counter() - started)
    return times, queries.captured_queries


def measure(client, label, url, repeat):
    """Print one line: median and slowest time, query count, slowest query."""
    times, queries = time_page(client, url, repeat)
    slowest_query = max((float(q["time"]) for q in queries), default=0.0)
    median = statistics.median(times)
    flag = "" if median < TARGET_SECONDS else "  <-- over target"
    print(
        f"{label:<50} {median * 1000:8.1f} ms {max(times) * 1000:8.1f} ms "
        f"{len(queries):7d} {slowest_query * 1000:9.1f} ms{flag}"
    )
    return median
