"""Browser tests: pytest-playwright driving Debian's Chromium headless shell against
pytest-django's live_server.

Every test here gets, without asking:
- ``base_url`` pointing at the live server, so ``page.goto("/")`` works;
- ``csp_violations``: Content Security Policy violations and uncaught JavaScript
  errors of every page in the test's browser context; the test fails if any occurred;
- a full-page screenshot of each open page under test-artifacts/screenshots/ when it fails.

``signed_in_page(user)`` signs a persona in (password and two-factor) without the UI.
Helpers to import: ``tests.browser.helpers.assert_accessible``, ``screenshot``,
``assert_no_horizontal_overflow``.
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from tests.browser.helpers import SCREENSHOT_DIR
from tests.conftest import sign_in_with_two_factor

# The live server runs in a thread while sync Playwright keeps an event loop in
# the main one; Django's ORM would otherwise refuse the test's own queries.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/lib/chromium/chromium-headless-shell")
# Without the background-networking flags Chromium calls outside hosts, which a
# closed network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CSP_LISTENER = Path(__file__).with_name("csp_listener.js")


def pytest_collection_modifyitems(items):
    browser_dir = Path(__file__).parent
    for item in items:
        if browser_dir in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.url


@pytest.fixture(autouse=True)
def _emailed_links_to_the_live_server(settings, live_server):
    # Links in e-mails start with the portal's address (PORTAL_URL): here, the live server.
    settings.QPP_PORTAL_URL = live_server.url


@pytest.fixture(autouse=True)
def _static_files_as_they_are_now(settings, tmp_path_factory):
    # pytest-django gives the live server Django's own static handler, which serves /static/
    # from STATIC_ROOT before the app's finders (INSTALLED_APPS names the staticfiles app by
    # its AppConfig, so pytest-django does not pick the finders' handler): a `collectstatic`
    # run would leave the browser with its old copies. An empty STATIC_ROOT sends every
    # request through to WhiteNoise and the finders, i.e. to the files being tested.
    settings.STATIC_ROOT = tmp_path_factory.getbasetemp() / "empty-static-root"


@pytest.fixture(autouse=True)
def _fresh_throttles(live_server):
    # Sign-in throttles live in the shared cache (a database table that the
    # per-test flush leaves alone): every test starts with none.
    cache.clear()


@pytest.fixture(autouse=True)
def csp_violations(request, context):
    """Collect CSP violations and uncaught page errors; fail the test if any occurred.

    A test that provokes a violation on purpose may inspect and then clear the list.
    """
    context.add_init_script(path=str(CSP_LISTENER))
    problems = []

    def on_console(message):
        if "Content Security Policy" in message.text:
            problems.append(f"{message.type} on {message.page.url if message.page else '?'}: {message.text}")

    def on_web_error(web_error):
        page_url = web_error.page.url if web_error.page else "?"
        problems.append(f"uncaught error on {page_url}: {web_error.error}")

    context.on("console", on_console)
    context.on("weberror", on_web_error)
    yield problems

    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.nodeid.split("browser/")[-1]).strip("-")
        for number, open_page in enumerate(context.pages, start=1):
            suffix = "" if number == 1 else f"-{number}"
            open_page.screenshot(path=str(SCREENSHOT_DIR / f"FAILED-{name}{suffix}.png"), full_page=True)
    assert not problems, "Content Security Policy violations or page errors:\n" + "\n".join(problems)


@pytest.fixture
def signed_in_page(page, context, live_server):
    """``signed_in_page(user)`` returns the test's page with ``user`` signed in.

    The session is made by the Django test client (force_login, then marked
    two-factor-verified, as a code would) and handed to the browser as its
    session cookie. ``two_factor=False`` leaves the user half signed in
    (password only), as between the Sign In and Verify pages.
    """

    def sign_in(user, *, two_factor=True):
        context.add_cookies([_session_cookie(user, live_server, two_factor=two_factor)])
        return page

    return sign_in


@pytest.fixture
def signed_in_without_javascript(browser, live_server):
    """``signed_in_without_javascript(user, viewport=None)``: a new browser context with JavaScript
    off and ``user`` signed in as ``signed_in_page`` signs in (password and two-factor). The
    caller closes it; the test's own ``page`` stays free to scan its pages."""

    def open_context(user, viewport=None):
        options = {"java_script_enabled": False, "base_url": live_server.url}
        if viewport is not None:
            options["viewport"] = viewport
        context = browser.new_context(**options)
        context.add_cookies([_session_cookie(user, live_server)])
        return context

    return open_context


def _session_cookie(user, live_server, *, two_factor=True):
    """The session cookie of ``user`` signed in through the Django test client (force_login,
    then marked two-factor-verified, as a code would; ``two_factor=False``: password only)."""
    client = Client()
    if two_factor:
        sign_in_with_two_factor(client, user)
    else:
        client.force_login(user)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": live_server.url}
