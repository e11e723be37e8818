"""Lighthouse's four scores (performance, accessibility, best practices, SEO) and every audit it
finds unmet, for the public pages and five of a Security Official's pages, served as in
production: gunicorn with deploy/gunicorn.conf.py and the production settings, behind HAProxy
running deploy/haproxy.cfg with only its addresses changed (bench/cluster_parts.py), on loopback,
with the demo data (``seed_demo``) in a fresh PostgreSQL database. docs/testing.md keeps the
results of the last run and what the portal commits to: accessibility and best practices 100 on
every page, SEO 95 or more on the public ones.

    .venv/bin/python bench/lighthouse.py [--keep FOLDER]

Lighthouse comes from npm, pinned (LIGHTHOUSE), installed once into a folder of the system's
temporary directory, never into the portal's node_modules (the site serves nothing of it);
12.8 is the last release that runs on Debian 12's Node.js 20. It drives the Chromium the browser
tests use (CHROMIUM_PATH, Debian's headless shell by default), as a phone, its default. The
signed-in pages get the session of the demo Security Official (made without the UI,
bench/server.py) in a Cookie header. The database is ``qpp_lighthouse`` on the local
PostgreSQL (made afresh), Redis a private redis-server; everything started is stopped.
"""

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from cluster_parts import DEPLOY, HAProxy, Process, answers, private_redis, procfile, wait_for
from server import ROOT, ensure_tools, free_port, prepare_portal, session_cookie

LIGHTHOUSE = "lighthouse@12.8.2"
LIGHTHOUSE_FOLDER = Path(tempfile.gettempdir()) / "qpp-lighthouse-12.8.2"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/lib/chromium/chromium-headless-shell")
CHROMIUM_FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking --disable-sync"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
# What the portal commits to (issue 28): every page, and the public pages alone for SEO.
TARGETS = {"accessibility": 100, "best-practices": 100}
PUBLIC_SEO = 95

PUBLIC = [("Home (signed out)", "/"), ("Eligibility", "/eligibility/"), ("Sign In", "/accounts/login/")]
PUBLIC.append(("Create Account", "/accounts/signup/"))
SIGNED_IN = [
    ("Home", "/"),
    ("Registration Overview 2025", "/registration/2025/"),
    ("CAHPS list 2026", "/cahps/2026/"),
    ("Register for CAHPS", None),  # see begin_a_cahps_registration
    ("Account/Devices", "/accounts/devices/"),
]


def install_lighthouse():
    binary = LIGHTHOUSE_FOLDER / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        LIGHTHOUSE_FOLDER.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--no-save", "--no-audit", "--no-fund", "--loglevel=error", LIGHTHOUSE],
            cwd=LIGHTHOUSE_FOLDER,
            check=True,
        )
    return binary


def start_portal(folder, stack):
    """The demo data in a fresh database, gunicorn (deploy/Procfile's web command) and HAProxy in
    front of it; returns HAProxy's URL."""
    redis, redis_url = private_redis(folder)
    stack.callback(redis.stop)
    balancer = free_port()
    check_host = re.search(r"hdr Host (\S+)", (DEPLOY / "haproxy.cfg").read_text()).group(1)
    environment = {
        "DJANGO_SETTINGS_MODULE": "qpp_registration.settings.production",
        "ALLOWED_HOSTS": f"127.0.0.1,localhost,{check_host}",  # the last: the Host of HAProxy's check
        "TRUSTED_PROXY_COUNT": "1",
        "PORTAL_URL": f"http://127.0.0.1:{balancer}",
    }
    database_url = "postgres://postgres@127.0.0.1:5432/qpp_lighthouse"
    prepare_portal(database_url, redis_url, lambda: None, environment)
    node = free_port()
    web = Process("web1", [*procfile()["web"], "--bind", f"127.0.0.1:{node}"], dict(os.environ), folder)
    stack.callback(web.stop)
    wait_for(lambda: answers(node, "/healthz"), 60, "gunicorn")
    haproxy = HAProxy(port=balancer, nodes={"web1": node}, folder=folder)
    stack.callback(haproxy.stop)
    wait_for(lambda: haproxy.socket.exists() and haproxy.checked_up(), 30, "HAProxy's checks")
    return haproxy.url


def begin_a_cahps_registration():
    """The demo data has no CAHPS registration in 2026: begin one for the demo Security Official's
    first organization that may register, as the CAHPS list's Register button does (the same
    workflow), so that Register for CAHPS has a registration to show. Returns its page's path."""
    from django.contrib.auth import get_user_model

    from organizations.models import Organization, Role
    from registrations import workflows
    from registrations.cahps.pages import cahps_decision
    from registrations.models import PerformanceYear

    official = get_user_model().objects.get(username="demo-so")
    year = PerformanceYear.objects.get(year=2026)
    mine = Organization.objects.filter(roles__user=official, roles__kind=Role.Kind.SECURITY_OFFICIAL)
    for organization in mine.order_by("pk"):
        if cahps_decision(organization=organization, year=year):
            workflows.cahps_register(organization=organization, year=year, by=official)
            return f"/cahps/2026/{organization.pk}/"
    sys.exit("The demo Security Official has no organization that may register for CAHPS in 2026.")


def lighthouse(binary, url, report_path, cookie=None):
    command = [
        str(binary),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report_path}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROMIUM_FLAGS}",
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": CHROMIUM})
    return json.loads(report_path.read_text())


def summary(report):
    """({category: score out of 100}, ["category: audit title (value)", ...] of the unmet audits)."""
    scores, unmet = {}, []
    for name in CATEGORIES:
        category = report["categories"][name]
        scores[name] = round(category["score"] * 100)
        for reference in category["auditRefs"]:
            audit = report["audits"][reference["id"]]
            if audit["score"] is None or audit["score"] >= 1:
                continue
            if audit["scoreDisplayMode"] not in ("binary", "numeric", "metricSavings"):
                continue
            value = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
            unmet.append(f"{name}: {audit['title']}{value}")
    return scores, unmet


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="a folder for Lighthouse's JSON reports and the logs")
    args = parser.parse_args()
    ensure_tools(haproxy=True)
    if not Path(CHROMIUM).exists():
        sys.exit(f"No Chromium at {CHROMIUM}: apt-get install chromium-headless-shell, or set CHROMIUM_PATH.")
    binary = install_lighthouse()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    with contextlib.ExitStack() as stack:
        folder = args.keep or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="qpp-lighthouse-")))
        folder.mkdir(parents=True, exist_ok=True)
        base = start_portal(folder, stack)
        from django.contrib.auth import get_user_model

        cookie = session_cookie(get_user_model().objects.get(username="demo-so"))
        pages = [(name, path, None, True) for name, path in PUBLIC]
        for name, path in SIGNED_IN:
            pages.append((name, path or begin_a_cahps_registration(), cookie, False))
        rows, failures = [], []
        for number, (name, path, page_cookie, public) in enumerate(pages):
            report = lighthouse(binary, base + path, folder / f"lighthouse-{number}.json", page_cookie)
            scores, unmet = summary(report)
            rows.append((name, path, scores, unmet))
            wanted = {**TARGETS, **({"seo": PUBLIC_SEO} if public else {})}
            failures += [
                f"{name} {key} {scores[key]} < {low}" for key, low in wanted.items() if scores[key] < low
            ]
            print(f"{name} ({path}): " + ", ".join(f"{key} {scores[key]}" for key in CATEGORIES), flush=True)
    print(f"\nLighthouse {LIGHTHOUSE.split('@')[1]}, commit {commit.stdout.strip()}\n")
    print("| page | path | performance | accessibility | best practices | SEO |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, path, scores, _unmet in rows:
        print(f"| {name} | `{path}` | " + " | ".join(str(scores[key]) for key in CATEGORIES) + " |")
    print("\nUnmet audits:")
    for name, _path, _scores, unmet in rows:
        print(f"- {name}: " + ("; ".join(unmet) if unmet else "none"))
    if failures:
        sys.exit("Below the targets: " + "; ".join(failures))


if __name__ == "__main__":
    main()
