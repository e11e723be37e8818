"""Production settings for the outage tests' gunicorn, with static files from the finders.

Everything else is production's, from the environment the tests give the process: the
database's persistent connections and their health checks, the request's transaction, the
error handlers and the middleware are what a deployment runs. Only the hashed static names,
which need ``collectstatic`` and play no part in an outage, are left out.
"""

from qpp_registration.settings.production import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
