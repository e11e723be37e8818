"""Production settings read from the environment: HTTPS by default, a documented way to run
them over plain HTTP on loopback (bench/load.py), and any e-mail backend by name."""

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
