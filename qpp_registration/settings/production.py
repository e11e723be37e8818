"""Production: every secret comes from the environment; nothing insecure by default."""

from pythonjsonlogger.core import RESERVED_ATTRS

from .base import *  # noqa: F403
from .env import env_bool, env_int, env_str

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", required=True)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Cookies travel only over HTTPS. Setting these to false (with SECURE_SSL_REDIRECT=false and
# SECURE_HSTS_SECONDS=0) runs production settings over plain HTTP on loopback, as bench/load.py
# does; never on a network, where the session cookie would be sent in clear.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
CSRF_COOKIE_HTTPONLY = True

# A database host that does not answer (a network cut, a failover) gives the "briefly unavailable"
# page within seconds rather than holding the request until TCP gives up. A connection that broke
# is dropped and opened again on the next request (CONN_HEALTH_CHECKS, settings/base.py), so
# nothing needs a restart when the database is back (docs/decisions/0011-failure-modes.md).
_database = DATABASES["default"]  # noqa: F405
if _database["ENGINE"] == "django.db.backends.postgresql":
    _options = {"connect_timeout": env_int("DATABASE_CONNECT_TIMEOUT", 5), **_database.get("OPTIONS", {})}
    DATABASES = {**DATABASES, "default": {**_database, "OPTIONS": _options}}  # noqa: F405

_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
_EMAIL_BACKEND = env_str("EMAIL_BACKEND", _SMTP_BACKEND)
# The EMAIL_HOST… options belong to the SMTP backend; another backend named in EMAIL_BACKEND
# (console, locmem, a provider's) takes none of them.
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": (
            {
                "host": env_str("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 25),
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_str("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "timeout": QPP_EMAIL_TIMEOUT,  # noqa: F405
            }
            if _EMAIL_BACKEND == _SMTP_BACKEND
            else {}
        ),
    }
}

# Links in e-mails: the portal's public address, by default its first host name.
_hosts = ALLOWED_HOSTS  # noqa: F405
_portal_url = env_str("PORTAL_URL") or (f"https://{_hosts[0]}" if _hosts else QPP_PORTAL_URL)  # noqa: F405
QPP_PORTAL_URL = _portal_url.rstrip("/")

# One JSON object a line, for the log collector: time, level, logger, message and request_id
# (the request's, or the e-mail's request's in a worker), plus any extra fields a line carries
# (the slow-request line's method, path, status_code, duration_seconds, view). Django puts the
# request object on its own lines; its text would carry the query string, so it is left out.
LOGGING = {
    **LOGGING,  # noqa: F405
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
            "reserved_attrs": [*RESERVED_ATTRS, "request"],
        }
    },
    "handlers": {"console": {**LOGGING["handlers"]["console"], "formatter": "json"}},  # noqa: F405
}
