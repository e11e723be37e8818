"""Local development: DEBUG on, console e-mail, SQLite unless DATABASE_URL is set."""

from .base import *  # noqa: F403
from .env import env_list, env_str

DEBUG = True
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-never-used-in-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
MAILERS = {"default": {"BACKEND": "qpp_registration.core.background.mail.ReadableConsoleEmailBackend"}}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
# Serve static files from the finders while developing; no collectstatic needed.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
