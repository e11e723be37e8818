"""Production settings read from the environment: HTTPS by default, a documented way to run
them over plain HTTP on loopback (bench/load.py), any e-mail backend by name, and what keeps the
portal answering through a database or Redis outage (docs/decisions/0011-failure-modes.md)."""

import importlib
import sys

import pytest
from django.core.mail import mailers
from django.test import override_settings

PRODUCTION = "qpp_registration.settings.production"


@pytest.fixture
def production_settings(monkeypatch):
    """Imports the production settings module afresh under the given environment variables."""

    def load(**environment):
        monkeypatch.setenv("SECRET_KEY", "production-test-key-" + "x" * 40)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        sys.modules.pop(PRODUCTION, None)
        try:
            return importlib.import_module(PRODUCTION)
        finally:
            sys.modules.pop(PRODUCTION, None)

    return load


def test_cookies_are_secure_unless_switched_off_for_a_local_http_run(production_settings):
    default = production_settings()
    local = production_settings(SESSION_COOKIE_SECURE="false", CSRF_COOKIE_SECURE="false")

    assert (default.SESSION_COOKIE_SECURE, default.CSRF_COOKIE_SECURE) == (True, True)
    assert (local.SESSION_COOKIE_SECURE, local.CSRF_COOKIE_SECURE) == (False, False)
    assert local.SESSION_COOKIE_HTTPONLY is True


def test_a_malformed_cookie_switch_stops_the_start(production_settings):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="SESSION_COOKIE_SECURE must be true or false"):
        production_settings(SESSION_COOKIE_SECURE="maybe")


def test_smtp_is_the_default_backend_with_the_smtp_options(production_settings):
    production = production_settings(EMAIL_HOST="smtp.example.gov", EMAIL_PORT="2525")

    with override_settings(MAILERS=production.MAILERS):
        connection = mailers.default

    assert (connection.host, connection.port) == ("smtp.example.gov", 2525)


def test_another_backend_named_in_the_environment_starts_without_smtp_options(production_settings):
    production = production_settings(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")

    with override_settings(MAILERS=production.MAILERS):
        connection = mailers.default

    assert type(connection).__module__ == "django.core.mail.backends.console"


@pytest.fixture
def fresh_settings(production_settings):
    """The production settings with the shared ones (settings/base.py) read afresh too: where the
    database, the cache and the task queue are is decided there."""
    import qpp_registration.settings as package

    def load(**environment):
        saved = sys.modules.pop(package.base.__name__)
        try:
            return production_settings(**environment)
        finally:
            sys.modules[saved.__name__] = package.base = saved

    return load


def test_postgresql_connections_time_out_and_are_checked_after_an_outage(fresh_settings):
    settings = fresh_settings(DATABASE_URL="postgres://qpp@db.example.gov:5432/qpp")
    shorter = fresh_settings(
        DATABASE_URL="postgres://qpp@db.example.gov:5432/qpp", DATABASE_CONNECT_TIMEOUT="2"
    )

    database = settings.DATABASES["default"]
    assert database["OPTIONS"] == {"connect_timeout": 5}
    assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"], database["ATOMIC_REQUESTS"]) == (
        60,
        True,
        True,
    )
    assert shorter.DATABASES["default"]["OPTIONS"] == {"connect_timeout": 2}


def test_with_redis_sessions_stay_in_the_database_and_the_throttles_fall_back_to_it(fresh_settings):
    settings = fresh_settings(REDIS_URL="redis://cache.example.gov:6379/0", TASK_BACKEND="redis")
    own = fresh_settings(
        REDIS_URL="redis://cache.example.gov:6379/0",
        TASK_BACKEND="redis",
        TASK_REDIS_URL="redis://queue.example.gov:6379/1?socket_timeout=5",
    )

    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.CACHES["default"]["FALLBACK"] == "database"
    assert settings.CACHES["database"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert settings.RQ_QUEUES["default"]["URL"] == (
        "redis://cache.example.gov:6379/0?socket_connect_timeout=1&socket_timeout=1"
    )
    assert own.RQ_QUEUES["default"]["URL"] == (
        "redis://queue.example.gov:6379/1?socket_timeout=5&socket_connect_timeout=1"
    )
