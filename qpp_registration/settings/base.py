"""Settings shared by every environment.

Environment-specific modules (``dev``, ``test``, ``production``) import from
here and override what differs. Nothing in this module may default to an
insecure value: ``SECRET_KEY`` and ``DEBUG`` are decided by those modules.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from qpp_registration.core.http.static_headers import add_security_headers

from .env import env_float, env_int, env_list, env_networks, env_str, redis_url_with_timeouts

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "qpp_registration.apps.PortalStaticFilesConfig",  # django.contrib.staticfiles
    "django.contrib.humanize",
    # Widget templates for the portal's form renderer (FORM_RENDERER below).
    "django.forms",
    "localflavor",
    "simple_history",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "accounts",
    "organizations",
    "registrations",
    "contacts",
    # The project package itself, for its template tags ({% load portal %}).
    "qpp_registration",
]

MIDDLEWARE = [
    # An id for the request on every log line and on the e-mails it queues.
    "qpp_registration.core.http.request_id.RequestIdMiddleware",
    # /metrics for the operators, answered before any session, user or CSRF check (and before the
    # HTTPS redirect: Prometheus scrapes each node directly), or a 404 when switched off.
    "qpp_registration.core.http.metrics.MetricsEndpointMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "qpp_registration.core.http.permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Latency per view and the slow-request line; static files (above) are not views.
    "qpp_registration.core.http.metrics.RequestTimingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, noting whom the session was signed in as before it checks the session auth hash.
    "accounts.middleware.AuthenticationMiddleware",
    "qpp_registration.core.http.middleware.CacheControlMiddleware",
    "qpp_registration.core.http.params.AdminToFieldGuardMiddleware",
    "qpp_registration.core.http.params.NullCharacterGuardMiddleware",
    # Deny by default: every view needs a signed-in user unless marked login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Session lifetimes, sessions ended elsewhere, and two-factor before anything else.
    "accounts.middleware.SessionSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "qpp_registration.urls"
WSGI_APPLICATION = "qpp_registration.wsgi.application"

_CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "django.template.context_processors.csp",
    "qpp_registration.context_processors.portal",
]
TEMPLATES = [
    {
        # The portal's pages (docs/decisions/0010-pages-drawn-cheaply.md).
        "BACKEND": "qpp_registration.jinja.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "qpp_registration.jinja.environment",
            "context_processors": _CONTEXT_PROCESSORS[1:],  # the backend passes the request itself
        },
    },
    {
        # The admin's templates, e-mail bodies and the packages' own templates.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates" / "django"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": _CONTEXT_PROCESSORS},
    },
]

# {{ form }} and {% include "includes/field.html" %} render USWDS fields (templates/includes/).
FORM_RENDERER = "qpp_registration.core.renderers.PortalFormRenderer"

# SQLite out of the box; PostgreSQL (or any URL dj-database-url knows) when
# DATABASE_URL is set. Each request runs in one transaction so that a view that
# fails half-way leaves nothing half-saved.
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and the scheduler write to one file at once (`make run`).
    # A transaction that read first and writes later cannot wait for another writer (SQLite
    # answers "database is locked" at once), so every transaction takes the write lock when
    # it begins (IMMEDIATE) and waits up to the busy timeout for it; WAL lets reads go on
    # meanwhile. synchronous=NORMAL is safe in WAL mode: a power cut may lose the last
    # commits, never corrupt the file. [issue 25]
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared state must hold across several app processes, and through a Redis outage
# (docs/decisions/0011-failure-modes.md). Sessions and the used-code markers (one-time codes,
# recovery codes, links) are in the database. The sign-in throttles are in the default cache:
# the database's cache table, or Redis when REDIS_URL is set, with that table answering
# while Redis cannot be reached (qpp_registration.core.redis_cache).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
_DATABASE_CACHE = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "qpp_cache"}
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "qpp_registration.core.redis_cache.PortalRedisCache",
            "LOCATION": REDIS_URL,
            "FALLBACK": "database",
            "RETRY_SECONDS": 5,
            # A stalled Redis costs half a second, not a request's whole time.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
        "database": _DATABASE_CACHE,
    }
else:
    CACHES = {"default": _DATABASE_CACHE}


# Background work (django.tasks): see docs/decisions/0006-background-tasks.md.
# "database" (the default) keeps the queue in the database, written in the same
# transaction as the change that caused each task; "redis" keeps it in Redis (RQ).
TASK_BACKEND = env_str("TASK_BACKEND", "database")
if TASK_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif TASK_BACKEND == "redis":
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    INSTALLED_APPS.append("django_rq")
    # The admin's own Task queue page covers both backends; django_rq's dashboard model has
    # no table, so its admin pages would only answer 500.
    RQ_SHOW_ADMIN_LINK = False
    RQ_QUEUES = {
        "default": {
            "URL": redis_url_with_timeouts(env_str("TASK_REDIS_URL") or env_str("REDIS_URL", required=True)),
            "DEFAULT_TIMEOUT": 600,
        }
    }
else:
    raise ImproperlyConfigured(f"TASK_BACKEND must be database or redis, not {TASK_BACKEND!r}.")

# A database task whose worker stopped (killed or lost) is failed, or run again where that is safe,
# once it has run this long with no heartbeat from its worker (qpp_registration.core.background.
# task_claims). Well above any task's normal run time: a worker without a heartbeat falls back
# to this limit alone. The same as the Redis queue's job timeout (RQ_QUEUES above).
QPP_TASK_CLAIM_SECONDS = env_int("TASK_CLAIM_SECONDS", 600)

# E-mail delivery (qpp_registration.core.background.outbox): attempts before a message is shown to staff as
# failed, the first retry delay (doubling each time, at most an hour), how long a worker may
# hold a message it is sending, and how overdue a waiting message is before the sweep
# enqueues it again.
QPP_EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 8)
QPP_EMAIL_RETRY_SECONDS = env_int("EMAIL_RETRY_SECONDS", 30)
QPP_EMAIL_CLAIM_SECONDS = env_int("EMAIL_CLAIM_SECONDS", 300)
QPP_EMAIL_SWEEP_GRACE_SECONDS = env_int("EMAIL_SWEEP_GRACE_SECONDS", 300)
# Seconds before an unanswering mail server counts as a failed attempt; never infinite.
QPP_EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)

# Deadline reminders: days before a window closes, sent at this hour (ET) [registrations.reminders].
QPP_REMINDER_DAYS = [int(days) for days in env_list("REMINDER_DAYS", ["14", "3", "1"])]
QPP_REMINDER_HOUR = env_int("REMINDER_HOUR", 10)
# The portal's address: every link in an e-mail starts with it (qpp_registration.core.links),
# whichever process sends it. `make run` sets it to the host and port it serves.
QPP_PORTAL_URL = env_str("PORTAL_URL", "http://127.0.0.1:8000").rstrip("/")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# NIST SP 800-63B favours length and a block-list over composition rules.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: the User ID is a username, not an e-mail address [2020 §II].
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env_str("ACCOUNT_DEFAULT_HTTP_PROTOCOL", "https")
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "accounts.forms.SignInForm",
    "signup": "accounts.forms.SignUpForm",
    "add_email": "accounts.forms.AddEmailAddressForm",
    "change_password": "accounts.forms.ChangePasswordWithoutPlaceholdersForm",
}
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "QPP Registration: "
# Wrong passwords: 10 a minute per address, 5 per 5 minutes per User ID (in the shared cache).
# A browser that completed two-factor for the account before (its signed device cookie)
# is not held to those limits but to its own, so strangers cannot lock the owner out
# (see docs/decisions/0005-enrolment-and-throttling.md).
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key", "login_failed_known_browser": "5/5m/key"}
# Client addresses for the per-address limit: the address the last of this many trusted
# proxies saw (X-Forwarded-For read from the right); 0 means REMOTE_ADDR, no header at all.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Sessions (ASVS 3.3.2): an idle limit, renewed by activity, plus an absolute limit counted
# from sign-in, both checked by accounts.middleware. Activity is noted at most once a minute
# (accounts.two_factor.mark_seen), and a session is saved only when something in it changed,
# so reading a page writes nothing [issue 25].
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 12)
# The store's own expiry (the row and the cookie, from the last save) a minute past the idle
# limit: the idle limit ends the session itself and says why, also when the page reloads as the
# idle warning's countdown ends, a moment after the limit; the store's expiry is the backstop.
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60 + 60
SESSION_SAVE_EVERY_REQUEST = False

# Two-factor [2020 §III.3]: see docs/decisions/0002-two-factor.md.
QPP_TWO_FACTOR_PENDING_MINUTES = 5  # password given, code not yet
QPP_REAUTHENTICATION_MINUTES = 5  # password + code again before security settings change
QPP_CODE_LIFETIME_MINUTES = 10  # codes sent by e-mail or text message
QPP_TWO_FACTOR_MAX_FAILURES = 10  # consecutive wrong codes before the lock
QPP_TWO_FACTOR_LOCKOUT_MINUTES = 15
# An account without a device proves its e-mail address before it may set one up.
QPP_ENROLMENT_LINK_MINUTES = 30  # a link the user asked for on the setup page
QPP_TWO_FACTOR_RESET_LINK_HOURS = 72  # a link CMS staff sent with "Reset two-factor"
QPP_ENROLMENT_MINUTES = 15  # to set up a device once the link was opened
QPP_RECOVERY_CODE_COUNT = 10
# Passkeys: the WebAuthn relying-party id, the site's host name unless set (e.g. to the
# parent domain when several host names serve the portal).
QPP_WEBAUTHN_RP_ID = env_str("WEBAUTHN_RP_ID")
# The signed device cookie of a browser that completed two-factor for an account.
QPP_KNOWN_BROWSER_DAYS = 180
# "Are you still there?" this many seconds before the idle sign-out.
SESSION_IDLE_WARNING_SECONDS = env_int("SESSION_IDLE_WARNING_SECONDS", 120)
# Dotted path of the text-message sender (accounts.sms); none means no text-message devices
# outside development.
QPP_SMS_SENDER = env_str("QPP_SMS_SENDER")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# USWDS is installed by npm at setup and served from node_modules, never committed.
# Its css/, js/, fonts/ and img/ stay side by side because the CSS refers to ../fonts.
STATICFILES_DIRS = [BASE_DIR / "static", ("uswds", BASE_DIR / "node_modules" / "@uswds" / "uswds" / "dist")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# No inline scripts or styles anywhere, so the policy can forbid them.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
# Browser features the portal never uses are off (qpp_registration.core.http.permissions_policy); passkeys
# (WebAuthn) only for the portal's own pages. Only names Chromium knows: an unknown one is a
# console warning on every page. Left as browsers have them: fullscreen (their PDF viewer, for
# the summaries) and clipboard-write (what a Copy button needs).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "clipboard-read", "display-capture", "encrypted-media",
        "gamepad", "geolocation", "gyroscope", "hid", "identity-credentials-get", "idle-detection",
        "local-fonts", "magnetometer", "microphone", "midi", "otp-credentials", "payment",
        "picture-in-picture", "screen-wake-lock", "serial", "usb", "window-management",
        "xr-spatial-tracking",
    )
} | {"publickey-credentials-create": ["self"], "publickey-credentials-get": ["self"]}  # fmt: skip
# WhiteNoise serves static files ahead of the CSP and Permissions-Policy middleware: give them
# the policies too.
WHITENOISE_ADD_HEADERS_FUNCTION = add_security_headers
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "QPP Registration <no-reply@qpp-registration.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The QPP Service Center, quoted on every page and in e-mails [2020 §I, 2023 §I].
QPP_SERVICE_CENTER = {
    "phone": "1-866-288-8292",
    "trs": "711",
    "email": "QPP@cms.hhs.gov",
    "hours": "Monday–Friday, 8 a.m.–8 p.m. ET",
}

# What operators see (docs/operations.md): a log line for each request slower than this, and
# /metrics, readable with the token (Authorization: Bearer …) or from these networks; with
# neither set it answers 404.
QPP_SLOW_REQUEST_SECONDS = env_float("SLOW_REQUEST_SECONDS", 1.0)
QPP_METRICS_TOKEN = env_str("METRICS_TOKEN")
QPP_METRICS_ALLOWED_NETWORKS = env_networks("METRICS_ALLOWED_NETWORKS")

# Plain lines here; JSON in production (settings/production.py). Every line written during a
# request (or an e-mail's delivery) gets that request's id as ``request_id``.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "qpp_registration.core.http.request_id.RequestIdFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "qpp": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # The task worker's lines, once each (Django's own "django" logger would print them again).
        "django.tasks": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django_tasks_db": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
