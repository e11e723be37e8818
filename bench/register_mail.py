"""Benchmark: the Security Official's *Register* POST when the mail server is slow.

A real SMTP server on loopback (aiosmtpd) answers each message after 500 ms. The same
*Register* POST (a 2021-style Web Interface registration with two contacts, so two
e-mails) is timed, in the same run, two ways:

- **before**: e-mail sent inside the request once its transaction commits, as the portal
  did before background tasks (the task runs as soon as it is enqueued:
  ``ImmediateBackend``, enqueued on commit);
- **after**: e-mail queued in the request's transaction (``django_tasks_db``) and sent by
  a worker; the request does not wait for the mail server.

It prints the median and 95th percentile of each and the ratio, then runs a worker over
what the "after" requests queued and checks the mail server got each message once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qpp_bench_mail .venv/bin/python bench/register_mail.py

Options: ``--requests`` (default 20 per way), ``--delay`` (seconds, default 0.5).
"""

import argparse
import asyncio
import socket
import statistics
import time

from common import setup, signed_in_client


class SlowMailServer:
    def __init__(self, delay):
        self.delay = delay
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        self.received.append(envelope.rcpt_tos[0])
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def use_tasks(backend):
    from asgiref.local import Local
    from django.conf import settings
    from django.tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": backend}}
    task_backends.__dict__.pop("settings", None)
    task_backends._settings = None
    task_backends._connections = Local(task_backends.thread_critical)


def started_registrations(count, run):
    """``count`` practices of one Security Official, each with a started registration and two contacts."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from contacts.models import Contact
    from organizations.models import Organization, Role
    from registrations.guide_years import LIKE_2021, open_window_around
    from registrations.models import PerformanceYear, Registration, Size

    year = PerformanceYear.objects.update_or_create(
        year=2025, defaults={**LIKE_2021, **open_window_around(timezone.now())}
    )[0]
    user, _ = get_user_model().objects.get_or_create(
        username="bench-mail-so", defaults={"first_name": "Bench", "last_name": "Official"}
    )
    organizations = []
    for n in range(count):
        organization = Organization.objects.create(
            kind="practice",
            identifier=f"9{run % 100:02d}{n:06d}",
            name=f"Bench Mail Practice {run}-{n}",
            address_line_1=f"{n} Main Street",
            city="Baltimore",
            state="MD",
            zip_code="21201",
        )
        Role.objects.create(user=user, organization=organization, kind=Role.Kind.SECURITY_OFFICIAL)
        registration = Registration.objects.create(
            organization=organization, performance_year=year, size=Size.MEDIUM
        )
        for who in ("ada", "bo"):
            Contact.objects.create(
                registration=registration,
                first_name=who.title(),
                last_name="Contact",
                email=f"{who}.{run}.{n}@example.com",
                phone="(410) 555-0100",
            )
        organizations.append(organization)
    return user, year, organizations


def time_register(client, year, organizations):
    from django.urls import reverse

    times = []
    for organization in organizations:
        url = reverse(
            "registration_submit",
            kwargs={"year": year.year, "organization_id": organization.pk, "program": "web-interface"},
        )
        started = time.perf_counter()
        response = client.post(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 302, (url, response.status_code)
    return times


def p95(times):
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.5)
    options = parser.parse_args()
    setup()
    from aiosmtpd.controller import Controller
    from django.core.management import call_command
    from django.test import override_settings

    from qpp_registration.core.background.models import OutgoingEmail

    handler = SlowMailServer(options.delay)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    smtp = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    run = int(time.time()) % 100000
    results = {}
    try:
        with override_settings(MAILERS=smtp):
            for way, backend in (
                ("before (e-mail sent in the request)", "django.tasks.backends.immediate.ImmediateBackend"),
                ("after (e-mail queued, sent by a worker)", "django_tasks_db.DatabaseBackend"),
            ):
                use_tasks(backend)
                user, year, organizations = started_registrations(
                    options.requests + 1, run=run * 10 + len(results)
                )
                client = signed_in_client(user)
                time_register(client, year, organizations[:1])  # warm up
                received_before = len(handler.received)
                results[way] = time_register(client, year, organizations[1:])
                print(
                    f"{way:<42} median {statistics.median(results[way]) * 1000:8.1f} ms   "
                    f"p95 {p95(results[way]) * 1000:8.1f} ms   "
                    f"messages received during the requests: {len(handler.received) - received_before}"
                )
            before, after = results.values()
            print(
                f"ratio before/after: median {statistics.median(before) / statistics.median(after):.1f}x, "
                f"p95 {p95(before) / p95(after):.1f}x"
            )
            waiting = OutgoingEmail.objects.filter(status="queued").count()
            received = len(handler.received)
            started = time.perf_counter()
            call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)
            print(
                f"worker afterwards: {len(handler.received) - received} of {waiting} queued messages "
                f"delivered in {time.perf_counter() - started:.1f} s; "
                f"each address received once: {len(handler.received) == len(set(handler.received))}"
            )
    finally:
        use_tasks("django.tasks.backends.immediate.ImmediateBackend")
        controller.stop()


if __name__ == "__main__":
    main()
