"""Settings shared by every environment.

Environment-specific modules (``dev``, ``test``, ``production``) import from
here and override what differs. Nothing in this module may default to an
insecure value: ``SECRET_KEY`` and ``DEBUG`` are decided by those modules.
"""

from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from qpp_registration.static_headers import add_security_headers

from .env import env_int, env_list, env_str

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
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Widget templates for the portal's form renderer (FORM_RENDERER below).
    "django.forms",
    "localflavor",
    "simple_history",
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
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "qpp_registration.middleware.NoStoreForSignedInMiddleware",
    "qpp_registration.params.AdminToFieldGuardMiddleware",
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

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "qpp_registration.context_processors.portal",
            ],
        },
    },
]

# {{ form }} and {% include "includes/field.html" %} render USWDS fields (templates/includes/).
FORM_RENDERER = "qpp_registration.renderers.PortalFormRenderer"

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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared state (throttles, used-code markers, sessions) must hold across several
# app processes: the database by default, Redis when REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "qpp_cache",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

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
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}

# Sessions (ASVS 3.3.2): idle limit renewed on every request, plus an absolute
# limit counted from sign-in by accounts.middleware.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True

# Two-factor [2020 §III.3]: see docs/decisions/0002-two-factor.md.
QPP_TWO_FACTOR_PENDING_MINUTES = 5  # password given, code not yet
QPP_REAUTHENTICATION_MINUTES = 5  # password + code again before security settings change
QPP_CODE_LIFETIME_MINUTES = 10  # codes sent by e-mail or text message
QPP_TWO_FACTOR_MAX_FAILURES = 10  # consecutive wrong codes before the lock
QPP_TWO_FACTOR_LOCKOUT_MINUTES = 15
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
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
# WhiteNoise serves static files ahead of the CSP middleware: give them the policy too.
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "qpp": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
