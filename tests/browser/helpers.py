"""Checks the browser tests share: axe-core scans, screenshots, horizontal overflow."""

import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

# Kept by CI: .ci/run prints this folder's path and lists its files.
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

# WCAG 2.0 and 2.1, levels A and AA: what Section 508 and the portal commit to.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_axe = Axe()


def wait_for_animations(page):
    """Let CSS transitions finish (a modal fading in would otherwise be scanned mid-fade and
    its colours measured half-transparent)."""
    page.evaluate(
        """() => Promise.all(document.getAnimations()
            .filter(a => a.effect && a.effect.getComputedTiming().iterations !== Infinity)
            .map(a => a.finished.catch(() => null)))"""
    )


def axe_violations(page, *, context=None):
    wait_for_animations(page)
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    return _axe.run(page, context=context, options=options).response["violations"]


def describe_violations(violations):
    lines = []
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        heading = f"{violation['id']} ({violation['impact']}): {violation['help']}"
        lines.append(heading + "\n    on: " + "\n        ".join(targets))
    return "\n".join(lines)


def assert_accessible(page, *, context=None):
    """Run axe-core on the current page and fail listing every WCAG 2.1 A/AA violation."""
    violations = axe_violations(page, context=context)
    assert not violations, f"{page.url} has accessibility violations:\n{describe_violations(violations)}"


def screenshot(page, name):
    """Save a full-page screenshot as test-artifacts/screenshots/<name>.png; returns the path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name).strip('-')}.png"
    page.screenshot(path=str(path), full_page=True)
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
