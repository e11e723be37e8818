"""Every page a person can reach passes axe with zero WCAG 2.1 A/AA violations.

Starting from the home page with the demo data (``seed_demo``), the crawler follows
the portal's own links, as a visitor, as the demo Security Official and as the
demo Staff User, and scans each kind of page once (one URL per route and set of
query parameters). The harness also fails on any CSP violation met on the way.
"""

from collections import Counter, deque
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import Resolver404, resolve

from registrations.models import PerformanceYear
from tests.browser.helpers import axe_violations, describe_violations

# Links a crawler must not follow: they end the session or leave the portal's pages.
SKIP_PREFIXES = ("/static/", "/admin/", "/accounts/logout/")
# Enough of each kind of page to see each year's screens, not every organization's.
PER_KIND = 5
MAX_PAGES = 150


def page_kind(path, query):
    try:
        route = resolve(path).route
    except Resolver404:
        route = path
    return route, tuple(sorted(key for key, _ in parse_qsl(query)))


def start_urls():
    """Home, and each performance year's registration screens (the year is chosen with a form)."""
    years = PerformanceYear.objects.order_by("year").values_list("year", flat=True)
    return ["/", *(f"/registration/?year={year}" for year in years)]


def crawl(page):
    """Visit up to PER_KIND pages of each kind reachable by links; return (kinds, {url: violations})."""
    visits, found, done = Counter(), {}, set()
    queue = deque(start_urls())
    while queue and len(done) < MAX_PAGES:
        url = queue.popleft()
        parts = urlsplit(url)
        kind = page_kind(parts.path, parts.query)
        if url in done or visits[kind] >= PER_KIND:
            continue
        visits[kind] += 1
        done.add(url)
        response = page.goto(url)
        if response is None or "text/html" not in (response.header_value("content-type") or ""):
            continue
        landed = urlsplit(page.url)
        landed_url = landed.path + (f"?{landed.query}" if landed.query else "")
        if landed_url != url:
            if landed_url in done:
                continue
            done.add(landed_url)
            visits[page_kind(landed.path, landed.query)] += 1
        violations = axe_violations(page)
        if violations:
            found[page.url] = violations
        # A link marked download (a summary PDF) is a file, not a page to scan.
        links = "a[href]:not([download])"
        for href in page.eval_on_selector_all(links, "links => links.map(a => a.getAttribute('href'))"):
            target = urlsplit(href)
            if target.scheme or target.netloc or not target.path.startswith("/"):
                continue
            if target.path.startswith(SKIP_PREFIXES):
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return set(visits), found


def report(found):
    return "\n\n".join(f"{url}\n{describe_violations(violations)}" for url, violations in found.items())


@pytest.fixture
def demo_data(live_server):
    call_command("seed_demo", verbosity=0)


def test_every_page_a_visitor_can_reach_is_accessible(page, demo_data):
    seen, found = crawl(page)

    assert {("accounts/login/", ()), ("accounts/signup/", ()), ("accounts/password/reset/", ())} <= seen
    assert not found, report(found)


@pytest.mark.parametrize("username", ["demo-so", "demo-staffuser"])
def test_every_page_a_signed_in_user_can_reach_is_accessible(signed_in_page, demo_data, username):
    page = signed_in_page(get_user_model().objects.get(username=username))

    seen, found = crawl(page)

    assert ("organizations/", ()) in seen  # Manage Access, reached through the navigation
    assert not found, report(found)
