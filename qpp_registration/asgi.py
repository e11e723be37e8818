"""ASGI entry point; production settings unless the environment says otherwise."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qpp_registration.settings.production")

application = get_asgi_application()
