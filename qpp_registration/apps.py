from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "qpp_registration"
    verbose_name = "Background work"

    def ready(self):
        from . import (
            checks,  # noqa: F401 - registers the system checks
            page_cache,  # noqa: F401 - notes every connection's writes
        )
