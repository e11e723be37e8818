"""Every page a person can reach passes axe with zero WCAG 2.2 A/AA and best-practice
violations, at 1280 and at 390 CSS pixels wide, and the Nu HTML Checker with zero errors.

Starting from the home page with the demo data (``seed_demo``), the crawler follows
the portal's own links, as a visitor, as the demo Security Official and as the
demo Staff User, and scans each kind of page once (one URL per route and set of
query parameters). The harness also fails on any CSP violation met on the way.
The admin pages staff use (the index, each model's list and one record of each) are
walked the same way as the demo admin and the demo help desk.
"""

from collections import Counter, deque
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import Resolver404, resolve

from registrations.models import PerformanceYear
from tests.browser.helpers import axe_violations, describe_violations, nu_errors

# Links a crawler must not follow: they end the session or leave the portal's pages.
SKIP_PREFIXES = ("/static/", "/admin/", "/accounts/logout/")
# Enough of each kind of page to see each year's screens, not every organization's.
PER_KIND = 5
MAX_PAGES = 150
WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 390, "height": 844}


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


def scan_at_both_widths(page):
    """axe's violations on the document as it is, at 1280 px and then at 390 px: {label: violations}.

    The narrow scan resizes the same document rather than loading it again (the styles answer to
    the width; the axe source is already there), then the wide size comes back for the next page.
    """
    found = {}
    for size in (WIDE, NARROW):
        page.set_viewport_size(size)
        violations = axe_violations(page)
        if violations:
            found[f"{page.url} at {size['width']} px"] = violations
    page.set_viewport_size(WIDE)
    return found


def crawl(page):
    """Visit up to PER_KIND pages of each kind reachable by links; return
    (kinds, {url and width: violations}, {url: the HTML served})."""
    page.set_viewport_size(WIDE)
    visits, found, done, documents = Counter(), {}, set(), {}
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
        documents[page.url] = response.text()
        found.update(scan_at_both_widths(page))
        # A link marked download (a summary PDF) is a file, not a page to scan.
        links = "a[href]:not([download])"
        for href in page.eval_on_selector_all(links, "links => links.map(a => a.getAttribute('href'))"):
            target = urlsplit(href)
            if target.scheme or target.netloc or not target.path.startswith("/"):
                continue
            if target.path.startswith(SKIP_PREFIXES):
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return set(visits), found, documents


def report(found):
    return "\n\n".join(f"{url}\n{describe_violations(violations)}" for url, violations in found.items())


def nu_report(errors):
    return "\n\n".join(f"{url}\n    " + "\n    ".join(messages) for url, messages in errors.items())


@pytest.fixture
def demo_data(live_server):
    call_command("seed_demo", verbosity=0)


def test_every_page_a_visitor_can_reach_is_accessible(page, demo_data, tmp_path):
    seen, found, documents = crawl(page)

    assert {("accounts/login/", ()), ("accounts/signup/", ()), ("accounts/password/reset/", ())} <= seen
    assert not found, report(found)
    errors = nu_errors(documents, tmp_path)
    assert not errors, nu_report(errors)


@pytest.mark.parametrize("username", ["demo-so", "demo-staffuser"])
def test_every_page_a_signed_in_user_can_reach_is_accessible(signed_in_page, demo_data, username, tmp_path):
    page = signed_in_page(get_user_model().objects.get(username=username))

    seen, found, documents = crawl(page)

    assert ("organizations/", ()) in seen  # Manage Access, reached through the navigation
    assert not found, report(found)
    errors = nu_errors(documents, tmp_path)
    assert not errors, nu_report(errors)


def admin_urls(page):
    """The admin index, each model list the signed-in staff member may open from it, and the
    first record of each list that has one."""
    page.goto("/admin/")
    lists = page.eval_on_selector_all(
        "#content-main th[scope=row] a[href]", "links => links.map(a => a.href)"
    )
    urls = ["/admin/"]
    for url in lists:
        page.goto(url)
        urls.append(url)
        first = page.locator("#result_list tbody tr").first.locator("th a[href]")
        if first.count():
            urls.append(first.first.get_attribute("href"))
    return urls


@pytest.mark.parametrize("username", ["demo-admin", "demo-helpdesk"])
def test_every_admin_page_staff_use_is_accessible(signed_in_page, demo_data, username):
    page = signed_in_page(get_user_model().objects.get(username=username))
    page.set_viewport_size(WIDE)
    found = {}

    urls = admin_urls(page)
    for url in urls:
        page.goto(url)
        found.update(scan_at_both_widths(page))

    assert len(urls) > 6, urls
    assert not found, report(found)
