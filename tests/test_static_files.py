"""Static files in production: ``collectstatic`` gives every file a hashed name that
WhiteNoise can serve for a year, USWDS's CSS finds its fonts and images, and every
page links the hashed names."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import override_settings

pytestmark = pytest.mark.django_db

PRODUCTION_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """Run collectstatic with the production storage into a temporary STATIC_ROOT, once for
    the module (it compresses every USWDS file: the slowest set-up of the suite)."""
    root = tmp_path_factory.mktemp("staticfiles")
    production = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}}
    with override_settings(STATIC_ROOT=root, STORAGES=production):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


def test_collectstatic_hashes_the_portal_and_uswds_files(collected):
    for name in ["css/portal.css", "js/portal.js", "uswds/css/uswds.min.css", "uswds/js/uswds.min.js"]:
        hashed = staticfiles_storage.stored_name(name)
        assert re.search(r"\.[0-9a-f]{12}\.", hashed), hashed
        assert (collected / hashed).is_file()
        assert (collected / f"{hashed}.gz").is_file()


def test_uswds_css_points_at_hashed_fonts_and_images_that_exist(collected):
    css_path = collected / staticfiles_storage.stored_name("uswds/css/uswds.min.css")
    css = css_path.read_text()
    references = [ref for ref in re.findall(r"url\(\"?([^\")]+)\"?\)", css) if not ref.startswith("data:")]

    assert any("/fonts/" in ref for ref in references)
    for ref in references:
        assert re.search(r"\.[0-9a-f]{12}\.", ref), f"{ref} was not given its hashed name"
        assert (css_path.parent / ref.split("#")[0].split("?")[0]).resolve().is_file(), ref


def test_pages_link_the_hashed_files(collected, client):
    response = client.get("/")

    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'href="/static/css/portal\.[0-9a-f]{12}\.css"', page)
    assert re.search(r'src="/static/uswds/js/uswds\.min\.[0-9a-f]{12}\.js"', page)
