"""Benchmark: the closing-minute surge. N Security Officials do the whole 2020 flow at once.

Each Security Official (default 200) holds one practice and, at the same moment, walks the
guide [2020 §IV.1–9]: Registration Overview → *Register* with a size (25–99) → Submit
Registration → Add contact (form, then Save) → *Register* → Congratulations. Before the surge
a few other officials walk it one at a time, for each step's idle latency. Afterwards the
database is checked: every organization has exactly one registration for the year, registered
for the CMS Web Interface, with a unique registration ID, exactly one contact, and the history
row of its registration.

    .venv/bin/python bench/surge.py [--users 200] [--idle-users 31] [--kill-worker-at 0.5] [--think 10]
                                    [--arrive-over 60]

``--arrive-over S`` spreads the officials' first requests over S seconds (each at a moment drawn
at random), as people arriving during the closing minute; without it all arrive in one instant.
``--kill-worker-at F`` sends SIGKILL to one gunicorn worker once a fraction F of the surge's
requests have been answered, and reports which requests failed. A step that fails is tried
again once, as a person would press the button again; the database check then shows whether
anything was lost or done twice. Writes a PNG of latency over time per step next to the table
(``bench/surge.png``, or ``--png``). Same server set-up as ``bench/load.py``.

All at once (no ``--arrive-over``, no ``--think``), it also runs ``wrk`` against ``load.py``'s
bare login-required page on the same server right before and right after the surge (each
request drawn, ``--bare-connections``, ``--bare-duration``), and prints the surge's requests per
second (all its requests, failed ones included, over its wall time), the bare page's and their
ratio: the share of the server's bare throughput the surge's flow gets.
"""

import argparse
import contextlib
import http.client
import os
import random
import re
import signal
import statistics
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import BARE, check_page, draw_script, wrk
from server import PortalServer, ensure_tools, load_average, practices, session_cookie

YEAR = 2025
STEPS = [
    "Overview",
    "Register (size)",
    "Submit Registration",
    "Add contact (form)",
    "Add contact (save)",
    "Register",
    "Congratulations",
]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION_KEY = re.compile(r'name="submission_key" value="([0-9a-f]{32})"')
USERNAME = "surge-so-{:04d}"


def seed_officials(count):
    """``count`` Security Officials, each of one practice with a complete mailing address."""

    def seed():
        from django.contrib.auth import get_user_model

        from organizations.models import Organization, Role

        User = get_user_model()
        users = User.objects.bulk_create(
            User(
                username=USERNAME.format(n),
                first_name="Surge",
                last_name=f"Official {n}",
                email=f"so{n}@example.com",
            )
            for n in range(count)
        )
        organizations = Organization.objects.bulk_create(
            practices(count, identifier_prefix="8", name="Surge Practice {:04d}")
        )
        Role.objects.bulk_create(
            Role(user=user, organization=organization, kind=Role.Kind.SECURITY_OFFICIAL)
            for user, organization in zip(users, organizations, strict=True)
        )

    return seed


class StepFailed(Exception):
    pass


class Browser:
    """One person's browser: its cookies, one HTTP request at a time, no redirects followed."""

    def __init__(self, base, cookie):
        parsed = urlparse(base)
        self.host, self.port = parsed.hostname, parsed.port
        self.cookies = dict(part.split("=", 1) for part in cookie.split("; ") if part)

    def request(self, method, path, form=None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        return response.status, response.getheader("Location", ""), content


def walk(browser, organization_pk, record, think=0.0, rng=None):
    """The 2020 flow for one organization; ``record(step, started, seconds, ok, note)`` per request.
    A request that fails (connection reset, 5xx) is tried again once, as a person would. With
    ``think`` seconds, the person reads each page (and fills each form) for between half and
    one and a half times that, drawn from ``rng``, before the next request."""
    base = f"/registration/{YEAR}/{organization_pk}/"
    prefix = f"org-{organization_pk}"
    state = {}

    def step(name, method, path, form=None, expect=(200,), token_from=None):
        if think and name != STEPS[0]:
            time.sleep(rng.uniform(0.5 * think, 1.5 * think))
        for attempt in (1, 2):
            started = time.time()
            clock = time.perf_counter()
            try:
                if form is not None:
                    form = {**form, "csrfmiddlewaretoken": state["csrf"]}
                status, location, content = browser.request(method, path, form)
                seconds = time.perf_counter() - clock
                ok = status in expect
                note = "" if ok else f"HTTP {status}"
            except (OSError, http.client.HTTPException) as error:
                seconds, ok, note = time.perf_counter() - clock, False, type(error).__name__
                status = location = content = None
            record(name, started, seconds, ok, note if attempt == 1 else f"retry: {note}")
            if ok:
                match = CSRF.search(content or "")
                if match:
                    state["csrf"] = match.group(1)
                # A creating form's one-time key: the form sent again (the retry) carries the same.
                match = SUBMISSION_KEY.search(content or "")
                if match:
                    state["submission_key"] = match.group(1)
                return location
            time.sleep(1)
        raise StepFailed(f"{name}: {note}")

    step("Overview", "GET", f"/registration/{YEAR}/")
    step(
        "Register (size)",
        "POST",
        base + "register/",
        {f"{prefix}-size": "25-99", f"{prefix}-program": "web_interface", "page": "1"},
        expect=(302,),
    )
    step("Submit Registration", "GET", base + "web-interface/submit/")
    step("Add contact (form)", "GET", base + "contacts/new/?return_to=submit-web-interface")
    step(
        "Add contact (save)",
        "POST",
        base + "contacts/new/?return_to=submit-web-interface",
        {
            "first_name": "Dana",
            "last_name": "Sullivan",
            "email": "dana@example.com",
            "phone": "410-555-0142",
            "submission_key": state["submission_key"],
        },
        expect=(302,),
    )
    step("Register", "POST", base + "web-interface/submit/", {}, expect=(302,))
    step("Congratulations", "GET", base + "web-interface/congratulations/")


def check_database(usernames):
    """Exactly one registration per organization, registered, unique ID, one contact, history."""
    from django.db.models import Count

    from registrations.models import ProgramStatus, Registration

    registrations = list(
        Registration.objects.filter(
            performance_year__year=YEAR, organization__roles__user__username__in=usernames
        ).annotate(contacts_count=Count("contacts"))
    )
    with_history = set(
        Registration.history.filter(id__in=[r.pk for r in registrations]).values_list("id", flat=True)
    )
    by_organization = defaultdict(list)
    for registration in registrations:
        by_organization[registration.organization_id].append(registration)
    ids = [registration.registration_id for registration in registrations]
    return {
        "organizations with a registration": len(by_organization),
        "organizations with more than one": sum(1 for regs in by_organization.values() if len(regs) > 1),
        "registered for the Web Interface": sum(
            1 for r in registrations if r.web_interface_status == ProgramStatus.REGISTERED
        ),
        "duplicate registration IDs": len(ids) - len(set(ids)),
        "with exactly one contact": sum(1 for r in registrations if r.contacts_count == 1),
        "with history rows": sum(1 for r in registrations if r.pk in with_history),
    }


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--idle-users", type=int, default=31, help="walk one at a time first (one warms up)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: the deploy config's)")
    parser.add_argument("--kill-worker-at", type=float, default=None, metavar="FRACTION")
    parser.add_argument("--database", default="qpp_bench_surge")
    parser.add_argument("--png", default=str(Path(__file__).with_name("surge.png")))
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="each person's mean time on a page before the next request (0: none, every request at once)",
    )
    parser.add_argument(
        "--arrive-over",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="spread the first requests at random over this many seconds (0: all in the same instant)",
    )
    parser.add_argument(
        "--bare-connections",
        type=int,
        default=10,
        help="wrk connections for the bare page (all at once only)",
    )
    parser.add_argument(
        "--bare-duration", type=int, default=5, help="seconds of each bare wrk run (all at once only)"
    )
    args = parser.parse_args()
    at_once = not args.arrive_over and not args.think
    ensure_tools(wrk=at_once)
    total = args.idle_users + args.users

    with (
        contextlib.ExitStack() as stack,
        PortalServer(
            database=args.database, redis_db=7, workers=args.workers, seed=seed_officials(total)
        ) as server,
    ):
        from django.contrib.auth import get_user_model

        from organizations.models import Role

        usernames = [USERNAME.format(n) for n in range(total)]
        users = get_user_model().objects.in_bulk(usernames, field_name="username")
        organization_of = dict(
            Role.objects.filter(user__username__in=usernames).values_list("user__username", "organization_id")
        )
        browsers = {name: Browser(server.url, session_cookie(users[name])) for name in usernames}

        idle = defaultdict(list)
        walk(browsers[usernames[0]], organization_of[usernames[0]], lambda *_: None)  # warm up
        for name in usernames[1 : args.idle_users]:
            walk(
                browsers[name], organization_of[name], lambda step, _t, s, ok, _n: ok and idle[step].append(s)
            )

        samples, lock = [], threading.Lock()
        expected = args.users * len(STEPS)
        killed = {}

        def record(step, started, seconds, ok, note):
            with lock:
                samples.append((step, started, seconds, ok, note))
                if (
                    args.kill_worker_at is not None
                    and not killed
                    and len(samples) >= args.kill_worker_at * expected
                ):
                    pid = server.worker_pids()[0]

                    os.kill(pid, signal.SIGKILL)
                    killed.update(pid=pid, at=time.time(), after=len(samples))

        failures = []
        barrier = threading.Barrier(args.users)

        def person(name):
            rng = random.Random(name)
            barrier.wait()
            if args.arrive_over:
                time.sleep(rng.uniform(0, args.arrive_over))
            try:
                walk(browsers[name], organization_of[name], record, think=args.think, rng=rng)
            except StepFailed as failure:
                failures.append((name, str(failure)))

        surge_names = usernames[args.idle_users :]
        bare_runs = []
        if at_once:
            bare_cookie = session_cookie(users[usernames[0]])
            check_page(server.url, bare_cookie, BARE, times=4 * server.workers)
            script = stack.enter_context(draw_script())

            def bare():
                bare_runs.append(
                    wrk(
                        server.url + BARE,
                        bare_cookie,
                        connections=args.bare_connections,
                        duration=args.bare_duration,
                        script=script,
                    )
                )

            bare()
        pace = f", {args.think:g} s on each page on average" if args.think else ""
        arriving = f"arriving over {args.arrive_over:g} s" if args.arrive_over else "at once"
        print(f"\n{args.users} Security Officials {arriving}{pace}; load average before {load_average()}")
        threads = [threading.Thread(target=person, args=(name,)) for name in surge_names]
        began, client_cpu = time.time(), time.process_time()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed, client_cpu = time.time() - began, time.process_time() - client_cpu
        print(f"surge took {elapsed:.1f} s; load average after {load_average()}")
        # The people's browsers run on the server's machine: what they cost is not the server's.
        share = client_cpu / (elapsed * (os.cpu_count() or 1))
        print(f"the browsers (this process) used {client_cpu:.1f} s of CPU, {share:.0%} of the CPUs")
        if at_once:
            bare()
            before, after = (run["rps"] for run in bare_runs)
            bare_rps = statistics.mean([before, after])
            surge_rps = len(samples) / elapsed
            print(f"surge: {len(samples)} requests in {elapsed:.1f} s = {surge_rps:.1f} req/s")
            print(
                f"bare page: {before:.1f} req/s before, {after:.1f} after, mean {bare_rps:.1f} "
                f"(wrk, {args.bare_connections} connections, {args.bare_duration} s, each request drawn)"
            )
            print(f"surge / bare: {surge_rps / bare_rps:.2f}")
        if killed:
            print(f"killed gunicorn worker {killed['pid']} after {killed['after']} of {expected} requests")

        print(f"\n{'step':<22} {'idle p95':>9} {'surge p50':>10} {'surge p95':>10} {'p99':>8}", end="")
        print(f" {'x idle':>7} {'failed':>7}")
        by_step = defaultdict(list)
        failed_by_step = defaultdict(int)
        for step, _started, seconds, ok, _note in samples:
            if ok:
                by_step[step].append(seconds)
            else:
                failed_by_step[step] += 1
        worst = 0
        for step in STEPS:
            idle_p95 = percentile(idle[step], 0.95)
            surge = by_step[step]
            p95 = percentile(surge, 0.95)
            worst = max(worst, p95 / idle_p95)
            print(
                f"{step:<22} {idle_p95 * 1000:7.0f}ms {statistics.median(surge) * 1000:8.0f}ms "
                f"{p95 * 1000:8.0f}ms {percentile(surge, 0.99) * 1000:6.0f}ms {p95 / idle_p95:7.1f} "
                f"{failed_by_step[step]:7d}"
            )
        print(f"worst step: p95 {worst:.1f} x its idle p95")
        errors = [(step, note) for step, _s, _t, ok, note in samples if not ok]
        print(f"requests: {len(samples)}, failed and tried again: {len(errors)}, ", end="")
        print(f"people who gave up: {len(failures)}")
        for step, note in errors[:10]:
            print(f"  failed: {step}: {note}")
        for name, failure in failures[:10]:
            print(f"  gave up: {name}: {failure}")

        print("\nIn the database:")
        for label, value in check_database(surge_names).items():
            print(f"  {label:<36} {value:5d} of {args.users}")

        plot(samples, idle, began, killed, args.png, f"{args.users} Security Officials {arriving}")
        print(f"\nlatency over time: {args.png}")


def plot(samples, idle, began, killed, path, who):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(10, 5.5), dpi=110)
    colors = plt.get_cmap("tab10")
    for index, step in enumerate(STEPS):
        points = [(started - began, seconds) for s, started, seconds, ok, _n in samples if s == step and ok]
        if points:
            xs, ys = zip(*points, strict=True)
            axes.scatter(
                xs,
                ys,
                s=9,
                color=colors(index),
                label=f"{step} (idle p95 {percentile(idle[step], 0.95):.2f} s)",
            )
    failed = [(started - began, seconds) for _s, started, seconds, ok, _n in samples if not ok]
    if failed:
        xs, ys = zip(*failed, strict=True)
        axes.scatter(xs, ys, s=40, marker="x", color="black", label="failed (tried again)")
    if killed:
        axes.axvline(killed["at"] - began, color="red", linestyle="--", label="gunicorn worker killed")
    axes.set_xlabel("seconds since the surge began")
    axes.set_ylabel("response time (s)")
    axes.set_title(f"{who} registering: each request's response time")
    axes.legend(fontsize=8, loc="upper right")
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path)


if __name__ == "__main__":
    main()
