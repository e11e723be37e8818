from django.apps import AppConfig
from django.contrib.staticfiles.apps import StaticFilesConfig


class PortalConfig(AppConfig):
    default = True  # "qpp_registration" in INSTALLED_APPS; the staticfiles one is named in full
    name = "qpp_registration"
    verbose_name = "Background work"

    def ready(self):
        # Registers the system checks and the sign-in counter.
        from qpp_registration import checks  # noqa: F401
        from qpp_registration.core.http import metrics  # noqa: F401


class PortalStaticFilesConfig(StaticFilesConfig):
    """``collectstatic`` leaves out the parts of USWDS's dist/ that no page or stylesheet
    uses: the 2,100 Material icons (the portal's icons come from sprite.svg and usa-icons/)
    and the Sass sources. About 600 files are hashed and compressed instead of 2,800."""

    ignore_patterns = [
        *StaticFilesConfig.ignore_patterns,
        "material-icons",
        "material-icons-deprecated",
        "*.scss",
    ]
