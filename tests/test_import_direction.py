"""Imports run one way (docs/architecture.md, the style guide's floors):

- registrations above organizations, contacts and accounts;
- the shared core (``qpp_registration/core``) below every app, importing no app and nothing of
  the roof (the rest of ``qpp_registration``: settings, urls, home and health views, admin);
- no app imports the roof, and the template tags import only the core;
- in registrations, the domain (models, rules, services, workflows, selectors, e-mails,
  reminders, roll-over, register again) imports none of the screens above it;
- and no two modules import each other, directly or round a loop."""

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


def _project_imports(folder, *, outside=()):
    """``(file, module)`` for each import of a project module from ``folder``'s files, except those
    under ``outside`` (dotted prefixes)."""
    found = set()
    for path in _sources(folder):
        for module in set(_imported_modules(path)):
            top = module.split(".")[0]
            if top in (*APPS, "qpp_registration") and not module.startswith(outside):
                found.add(f"{path.relative_to(ROOT)} imports {module}")
    return sorted(found)


def test_the_shared_core_imports_nothing_of_the_roof():
    assert _project_imports("qpp_registration/core", outside=("qpp_registration.core",)) == []


@pytest.mark.parametrize("app", APPS)
def test_no_app_imports_the_roof(app):
    roof = [line for line in _project_imports(app) if " imports qpp_registration" in line]
    assert [line for line in roof if " imports qpp_registration.core" not in line] == []


def test_the_template_tags_import_only_the_core():
    assert _project_imports("qpp_registration/templatetags", outside=("qpp_registration.core",)) == []


# The domain of registrations, at the top of the app [issue 26], and the screens above it.
DOMAIN = (
    "models.py",
    "rules",
    "services.py",
    "workflows.py",
    "selectors.py",
    "detail_services.py",
    "emails.py",
    "reminders.py",
    "rollover.py",
    "register_again.py",
    "activity.py",
    "tasks.py",
)
SCREENS = (
    "registrations.web_interface",
    "registrations.cahps",
    "registrations.documents",
    "registrations.eligibility_checker",
    "registrations.admin",
    "registrations.view_helpers",
    "registrations.recent_changes_views",
    "registrations.lists",
    "registrations.deadlines",
)


@pytest.mark.parametrize("name", DOMAIN)
def test_the_domain_of_registrations_imports_no_screen(name):
    path = ROOT / "registrations" / name
    paths = sorted(path.rglob("*.py")) if path.is_dir() else [path]
    assert paths and all(p.exists() for p in paths)
    assert [
        f"{p.relative_to(ROOT)} imports {module}"
        for p in paths
        for module in set(_imported_modules(p))
        if module.startswith(SCREENS)
    ] == []


def _import_graph():
    """{module: the project modules it imports}, for every module of the apps and the project
    package. ``from package import module`` is an import of the module, not of the package's
    ``__init__``."""
    paths = [path for folder in (*APPS, "qpp_registration") for path in _sources(folder)]
    modules = {}
    for path in paths:
        parts = path.relative_to(ROOT).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path

    def module_of(name):
        parts = name.split(".")
        prefixes = (".".join(parts[:k]) for k in range(len(parts), 0, -1))
        return next((prefix for prefix in prefixes if prefix in modules), None)

    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        imported = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {module_of(alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, node.module] if node.module else parts)
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    imported.add(submodule if submodule in modules else module_of(base))
        graph[name] = imported - {None, name}
    return graph


def test_no_module_imports_itself_round_a_loop():
    graph = _import_graph()
    loops = []
    state = {}

    def visit(module, trail):
        state[module] = "open"
        for imported in sorted(graph[module]):
            if state.get(imported) == "open":
                loops.append(" -> ".join([*trail[trail.index(imported) :], imported]))
            elif imported not in state:
                visit(imported, [*trail, imported])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert loops == []


def test_the_check_sees_relative_and_plain_imports():
    module = ROOT / "organizations" / "selectors.py"
    source = "from ..registrations import rules\nimport registrations.models\nfrom . import models\n"
    found = set(_imported_modules(module, source))
    assert {"registrations.rules", "registrations.models", "organizations.models"} <= found
