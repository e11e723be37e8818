"""Benchmark: each Security Official page against a bare login-required page, on one server.

Makes a PostgreSQL database afresh, migrates it, loads the demo data (demo-so: Security
Official of 9 organizations) and a Security Official of 25 organizations, starts gunicorn with
the production settings and Redis (cache and sessions), makes signed-in sessions without the
UI, and runs ``wrk`` at each concurrency level against every page, each page between two runs
of ``/bench/bare/``: the same middleware (sessions, sign-in, two-factor, CSP, history) and no
page. It prints req/s, p50/p95/p99 latency and the ratio of the page's req/s to the mean of the
two bare runs around it. Absolute numbers swing on a shared machine; the ratio, measured in
the same minute on the same server, is the figure to compare [issue 10: every page >= 0.5].

    .venv/bin/python bench/load.py [--connections 10 50] [--duration 10] [--workers 3]

Needs PostgreSQL on 127.0.0.1:5432 (trust), Redis on 127.0.0.1:6379 (it flushes database 8)
and wrk (installed from Debian when run as root). Stops everything it started.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import PortalServer, ensure_tools, load_average, practices, session_cookie

LUA_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT {\\"requests\\":%d,\\"duration_us\\":%d,\\"status_errors\\":%d,\\"socket_errors\\":%d," ..
    "\\"p50\\":%d,\\"p95\\":%d,\\"p99\\":%d}\\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


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
    response = client.post(
        f"/registration/2025/{harbor.pk}/register/",
        {f"org-{harbor.pk}-size": "25-99", f"org-{harbor.pk}-program": "web_interface", "page": "1"},
    )
    assert response.status_code == 302, response.status_code
    chesapeake = Organization.objects.get(name="Chesapeake Family Medicine")
    response = client.post(f"/cahps/2026/{chesapeake.pk}/register/")
    assert response.status_code in (200, 302), response.status_code


def pages():
    from organizations.models import Organization

    def pk(name):
        return Organization.objects.get(name=name).pk

    harbor, allegheny = pk("Harbor Point Pediatrics"), pk("Allegheny Health Partners")
    chesapeake = pk("Chesapeake Family Medicine")
    so, so25 = "demo-so", "bench-so-25"
    return [
        ("Home", so, "/"),
        ("Manage Access", so, "/organizations/"),
        ("Connect to an Organization", so, "/organizations/connect/"),
        ("Connected Organizations (2025)", so, "/organizations/connected/?year=2025"),
        ("Registration Overview (2025, 9 orgs)", so, "/registration/2025/"),
        ("Registration Overview (2025, 25 orgs)", so25, "/registration/2025/"),
        ("Show Details (2025)", so, f"/registration/2025/{allegheny}/"),
        ("Submit Registration (2025)", so, f"/registration/2025/{harbor}/web-interface/submit/"),
        ("Organization Information (2025)", so, f"/registration/2025/{harbor}/organization/"),
        ("Add contact (2025)", so, f"/registration/2025/{harbor}/contacts/new/"),
        ("Register and Edit CAHPS Registration (2026)", so, "/cahps/2026/"),
        ("Register for CAHPS (2026)", so, f"/cahps/2026/{chesapeake}/"),
    ]


def wrk(url, cookie, *, connections, duration, script):
    threads = min(2, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "-s", script]
    command += ["-H", f"Cookie: {cookie}", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def check_page(base, cookie, path, *, times):
    """The page answers 200 itself (no redirect to Sign In); ``times`` requests warm every
    worker's caches (templates, fragments), so the runs measure a portal in its stride."""
    request = urllib.request.Request(base + path, headers={"Cookie": cookie})
    for _ in range(times):
        with urllib.request.urlopen(request, timeout=60) as response:
            if response.status != 200 or response.url != base + path:
                sys.exit(f"{path} answered {response.status} at {response.url}, not the page")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--database", default="qpp_bench_load")
    parser.add_argument("--only", help="run only the pages whose label contains this text")
    args = parser.parse_args()
    ensure_tools(wrk=True)

    with PortalServer(database=args.database, redis_db=8, workers=args.workers, seed=seed) as server:
        from django.contrib.auth import get_user_model

        users = get_user_model().objects.in_bulk(["demo-so", "bench-so-25"], field_name="username")
        cookies = {username: session_cookie(user) for username, user in users.items()}
        bare = (server.url + "/bench/bare/", cookies["demo-so"])
        selected = [page for page in pages() if not args.only or args.only in page[0]]
        for _label, username, path in selected:
            check_page(server.url, cookies[username], path, times=4 * args.workers)
        check_page(server.url, cookies["demo-so"], "/bench/bare/", times=4 * args.workers)

        with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
            script.write(LUA_REPORT)
            script.flush()
            for connections in args.connections:

                def run(url, cookie, connections=connections):
                    return wrk(
                        url, cookie, connections=connections, duration=args.duration, script=script.name
                    )

                print(
                    f"\n{connections} connections, {args.duration} s per run; load average {load_average()}"
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


if __name__ == "__main__":
    main()
