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


def test_log_lines_are_one_json_object_each_with_the_request_id_and_never_the_request(
    production_settings, rf
):
    import json
    import logging
    import logging.config

    from qpp_registration.core.http.request_id import RequestIdFilter, bound

    config = production_settings().LOGGING
    handler_config = config["handlers"]["console"]
    formatter = logging.config.DictConfigurator(config).configure_formatter(
        dict(config["formatters"][handler_config["formatter"]])
    )
    request = rf.get("/eligibility/?name=Jane+Roe")

    def line(message, *args, **kwargs):
        record = logging.getLogger("qpp.test").makeRecord(
            "qpp.test", logging.ERROR, __file__, 1, message, args, None
        )
        record.__dict__.update(kwargs)
        RequestIdFilter().filter(record)
        return formatter.format(record)

    with bound("5f3a9c"):
        inside = line("Internal Server Error: %s", "/eligibility/", request=request, status_code=500)
    try:
        raise ValueError("first line\nsecond line")
    except ValueError:
        outside = line("Task failed", exc_info=sys.exc_info())

    assert handler_config["filters"] == ["request_id"]
    assert "\n" not in inside and "\n" not in outside
    inside, outside = json.loads(inside), json.loads(outside)
    assert {key: inside[key] for key in ("level", "logger", "message", "request_id", "status_code")} == {
        "level": "ERROR",
        "logger": "qpp.test",
        "message": "Internal Server Error: /eligibility/",
        "request_id": "5f3a9c",
        "status_code": 500,
    }
    assert inside["time"].startswith("20")
    assert "request" not in inside and "Jane" not in str(inside)
    assert outside["request_id"] is None
    assert "ValueError: first line\nsecond line" in outside["exc_info"]


def test_development_and_tests_keep_plain_lines(settings):
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "plain"


def test_metrics_networks_are_read_as_cidr_blocks_and_a_malformed_one_stops_the_start(fresh_settings):
    from django.core.exceptions import ImproperlyConfigured

    settings = fresh_settings(
        METRICS_ALLOWED_NETWORKS="10.0.8.0/24, 2001:db8::/48,192.0.2.7", SLOW_REQUEST_SECONDS="2.5"
    )

    assert [str(network) for network in settings.QPP_METRICS_ALLOWED_NETWORKS] == [
        "10.0.8.0/24",
        "2001:db8::/48",
        "192.0.2.7/32",
    ]
    assert settings.QPP_SLOW_REQUEST_SECONDS == 2.5
    assert fresh_settings().QPP_METRICS_TOKEN is None  # off unless configured
    with pytest.raises(ImproperlyConfigured, match="METRICS_ALLOWED_NETWORKS: 'ten' is not an address"):
        fresh_settings(METRICS_ALLOWED_NETWORKS="ten")
