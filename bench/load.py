"""Benchmark: each Security Official page against a bare login-required page, on one server.

Makes a PostgreSQL database afresh, migrates it, loads the demo data (demo-so: Security
Official of 9 organizations) and a Security Official of 25 organizations, starts gunicorn with
the production settings and Redis (cache and sessions), makes signed-in sessions without the
UI, and runs ``wrk`` at each concurrency level against every page, each page between two runs
of ``/bench/bare/``: the same middleware (sessions, sign-in, two-factor, CSP, history), a
signed-in user and a one-line template, and no page. It prints req/s, p50/p95/p99 latency and
the ratio of the page's req/s to the mean of the two bare runs around it. Absolute numbers
swing on a shared machine; the ratio, measured in the same minute on the same server, is the
figure to compare [issue 10: every page >= 0.5].

Every request draws its page: each carries ``_draw=<thread>-<counter>``, a query value no
earlier request of the run used (no view reads ``_draw``). wrk runs each thread in its own Lua
state with the same random sequence, so the value is numbered, not drawn at random: ``setup``
gives each thread a number no earlier wrk run of this process gave, ``request`` counts.

    .venv/bin/python bench/load.py [--connections 10 50] [--duration 10] [--workers N]

Needs PostgreSQL on 127.0.0.1:5432 (trust), Redis on 127.0.0.1:6379 (it flushes database 8)
and wrk (installed from Debian when run as root). Stops everything it started.
"""

import argparse
import contextlib
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import PortalServer, ensure_tools, load_average, practices, session_cookie

BARE = "/bench/bare/"
DRAW = "_draw"  # read by no view: only makes each request's URL one no earlier request used
SEARCH = "harbor"  # the CAHPS list's and the Overview's search (``q``): a name several share
STATUS = "incomplete"  # the CAHPS list's status filter (``status``)
OVERVIEW_STATUS = "not_registered"  # the Registration Overview's status filter (``status``)

LUA_SCRIPT = """
-- Each request draws its page: ?_draw=<thread>-<counter> (or &_draw=... after a query).
-- Thread numbers start at DRAW_FIRST_THREAD, which load.py raises for every wrk run.
local next_thread = tonumber(os.getenv("DRAW_FIRST_THREAD") or "0")

setup = function(thread)
  thread:set("id", next_thread)
  next_thread = next_thread + 1
end

local counter = 0
local separator = string.find(wrk.path, "?", 1, true) and "&" or "?"

request = function()
  counter = counter + 1
  return wrk.format(nil, wrk.path .. separator .. "_draw=" .. id .. "-" .. counter)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT {\\"requests\\":%d,\\"duration_us\\":%d,\\"status_errors\\":%d,\\"socket_errors\\":%d," ..
    "\\"p50\\":%d,\\"p95\\":%d,\\"p99\\":%d}\\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""

# The first thread number of the next wrk run: no two runs of this process share a number.
_thread_numbers = itertools.count()


def seed():
    """A Security Official of 25 organizations, a started 2025 registration (Submit
    Registration) and a started 2026 CAHPS registration (Register for CAHPS) for demo-so."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from accounts.two_factor import verify_session
    from organizations.models import Organization, Role

    user, _ = get_user_model().objects.get_or_create(
        username="bench-so-25", defaults={"first_name": "Bench", "last_name": "Official"}
    )
    organizations = Organization.objects.bulk_create(
        practices(25, identifier_prefix="9", name="Bench Practice {:02d}")
    )
    Role.objects.bulk_create(
        Role(user=user, organization=organization, kind=Role.Kind.SECURITY_OFFICIAL)
        for organization in organizations
    )

    # The portal's own flow, through the test client, for the two started registrations.
    so = get_user_model().objects.get(username="demo-so")
    client = Client()
    client.force_login(so)
    session = client.session
    verify_session(session)
    session.save()
    harbor = Organization.objects.get(name="Harbor Point Pediatrics")
    start_web_interface(client, harbor.pk)
    chesapeake = Organization.objects.get(name="Chesapeake Family Medicine")
    response = client.post(f"/cahps/2026/{chesapeake.pk}/register/")
    assert response.status_code in (200, 302), response.status_code


def start_web_interface(client, organization_pk):
    """*Register* with a size (25–99) for the CMS Web Interface in 2025, as the Overview does."""
    prefix = f"org-{organization_pk}"
    response = client.post(
        f"/registration/2025/{organization_pk}/register/",
        {f"{prefix}-size": "25-99", f"{prefix}-program": "web_interface", "page": "1"},
    )
    assert response.status_code == 302, response.status_code


def page_list(official, larger_official=None, *, registered, started, cahps_started):
    """The Security Official pages every benchmark measures, as ``(label, username, path)``.

    ``official`` opens them all; ``larger_official`` (if any) the Overview once more, for an
    official of more organizations. ``registered``: an organization of ``official`` with a 2025
    registration (Show Details); ``started``: one whose 2025 Web Interface registration is
    started (Submit Registration, Organization Information, Add contact); ``cahps_started``:
    one with a started 2026 CAHPS registration (Register for CAHPS).
    """
    overview = [("Registration Overview (2025, 9 orgs)", official, "/registration/2025/")]
    if larger_official is not None:
        overview.append(("Registration Overview (2025, 25 orgs)", larger_official, "/registration/2025/"))
    return [
        ("Home", official, "/"),
        ("Manage Access", official, "/organizations/"),
        ("Connect to an Organization", official, "/organizations/connect/"),
        ("Connected Organizations (2025)", official, "/organizations/connected/?year=2025"),
        *overview,
        ("Registration Details (2025)", official, f"/registration/2025/{registered}/"),
        ("Submit Registration (2025)", official, f"/registration/2025/{started}/web-interface/submit/"),
        ("Organization Information (2025)", official, f"/registration/2025/{started}/organization/"),
        ("Add contact (2025)", official, f"/registration/2025/{started}/contacts/new/"),
        ("Registration Overview filtered (2025)", official, f"/registration/2025/?status={OVERVIEW_STATUS}"),
        ("Registration Overview searched (2025)", official, f"/registration/2025/?q={SEARCH}"),
        ("CAHPS list (2026)", official, "/cahps/2026/"),
        ("CAHPS list filtered by status (2026)", official, f"/cahps/2026/?status={STATUS}"),
        ("CAHPS list searched (2026)", official, f"/cahps/2026/?q={SEARCH}"),
        ("Register for CAHPS (2026)", official, f"/cahps/2026/{cahps_started}/"),
        ("Account / Devices", official, "/accounts/devices/"),
    ]


def pages():
    """``page_list`` for the data of ``seed``: demo-so (9 organizations) and bench-so-25."""
    from organizations.models import Organization

    def pk(name):
        return Organization.objects.get(name=name).pk

    return page_list(
        "demo-so",
        "bench-so-25",
        registered=pk("Allegheny Health Partners"),
        started=pk("Harbor Point Pediatrics"),
        cahps_started=pk("Chesapeake Family Medicine"),
    )


def drawn(path, value):
    """``path`` with ``_draw=value`` added to its query."""
    return f"{path}{'&' if '?' in path else '?'}{DRAW}={value}"


@contextlib.contextmanager
def draw_script():
    """The path of wrk's Lua script: drawn requests, and the RESULT line of ``wrk``."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(LUA_SCRIPT)
        script.flush()
        yield script.name


def wrk(url, cookie, *, connections, duration, script):
    threads = min(2, connections)
    first_thread = next(_thread_numbers)
    for _ in range(threads - 1):
        next(_thread_numbers)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "-s", script]
    command += ["-H", f"Cookie: {cookie}", url]
    env = {**os.environ, "DRAW_FIRST_THREAD": str(first_thread)}
    output = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def check_page(base, cookie, path, *, times):
    """The page answers 200 itself (no redirect to Sign In); ``times`` requests, each drawn,
    warm every worker (templates, query plans), so the runs measure a portal in its stride."""
    for n in range(times):
        url = base + drawn(path, f"check-{n}")
        request = urllib.request.Request(url, headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=60) as response:
            if response.status != 200 or response.url != url:
                sys.exit(f"{path} answered {response.status} at {response.url}, not the page")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, nargs="+", default=[10])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: the deploy config's)")
    parser.add_argument("--database", default="qpp_bench_load")
    parser.add_argument("--only", help="run only the pages whose label contains this text")
    args = parser.parse_args()
    ensure_tools(wrk=True)
    print(f"load average at the start: {load_average()}")

    with PortalServer(database=args.database, redis_db=8, workers=args.workers, seed=seed) as server:
        from django.contrib.auth import get_user_model

        users = get_user_model().objects.in_bulk(["demo-so", "bench-so-25"], field_name="username")
        cookies = {username: session_cookie(user) for username, user in users.items()}
        bare = (server.url + BARE, cookies["demo-so"])
        selected = [page for page in pages() if not args.only or args.only in page[0]]
        for _label, username, path in selected:
            check_page(server.url, cookies[username], path, times=4 * server.workers)
        check_page(server.url, cookies["demo-so"], BARE, times=4 * server.workers)

        with draw_script() as script:
            for connections in args.connections:

                def run(url, cookie, connections=connections):
                    return wrk(url, cookie, connections=connections, duration=args.duration, script=script)

                print(
                    f"\n{connections} connections, {args.duration} s per run, every request drawn "
                    f"(?{DRAW}=<thread>-<counter>); load average {load_average()}"
                )
                print(
                    f"{'page':<46} {'req/s':>7} {'bare':>7} {'ratio':>6} "
                    f"{'p50':>7} {'p95':>7} {'p99':>7} {'errors':>6}"
                )
                run(*bare)  # warm every worker
                before = run(*bare)
                ratios = []
                for label, username, path in selected:
                    page = run(server.url + path, cookies[username])
                    after = run(*bare)
                    bare_rps = statistics.mean([before["rps"], after["rps"]])
                    ratio = page["rps"] / bare_rps if bare_rps else float("nan")
                    ratios.append(ratio)
                    errors = page["status_errors"] + page["socket_errors"]
                    flag = "" if ratio >= 0.5 else "  <-- under 0.5"
                    print(
                        f"{label:<46} {page['rps']:7.1f} {bare_rps:7.1f} {ratio:6.2f} "
                        f"{page['p50'] / 1000:5.1f}ms {page['p95'] / 1000:5.1f}ms "
                        f"{page['p99'] / 1000:5.1f}ms {errors:6d}{flag}"
                    )
                    before = after
                print(f"lowest ratio {min(ratios):.2f}; load average after {load_average()}")
    print(f"\nload average at the end: {load_average()}")


if __name__ == "__main__":
    main()
