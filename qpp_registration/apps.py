from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "qpp_registration"
    verbose_name = "Background work"
