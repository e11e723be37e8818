"""Imports run one way: registrations above organizations, contacts and accounts, and the
shared core (``qpp_registration/core``) below every app (docs/architecture.md)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("organizations", "contacts", "accounts", "registrations")


def _imported_modules(path, source=None):
    """Every module ``path`` (or ``source``, read as if it stood there) imports, as absolute
    dotted names."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    source = path.read_text() if source is None else source
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def _sources(folder):
    return [path for path in sorted((ROOT / folder).rglob("*.py")) if "migrations" not in path.parts]


def _offending(folder, forbidden):
    return sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for path in _sources(folder)
        for module in set(_imported_modules(path))
        if module.split(".")[0] in forbidden
    )


@pytest.mark.parametrize("app", ["organizations", "contacts", "accounts"])
def test_the_apps_below_registrations_never_import_it(app):
    assert _sources(app)
    assert _offending(app, {"registrations"}) == []


def test_the_shared_core_imports_no_app():
    assert _sources("qpp_registration/core")
    assert _offending("qpp_registration/core", set(APPS)) == []


def test_the_check_sees_relative_and_plain_imports():
    module = ROOT / "organizations" / "selectors.py"
    source = "from ..registrations import rules\nimport registrations.models\nfrom . import models\n"
    found = set(_imported_modules(module, source))
    assert {"registrations.rules", "registrations.models", "organizations.models"} <= found
