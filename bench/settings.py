"""Production settings with the bare yardstick page of ``bench/load.py`` added to the URLs.

Everything else comes from the environment exactly as in production; ``bench/load.py`` sets
the switches that let it run over plain HTTP on loopback. The yardstick's template folder,
``bench/templates``, is added to the ``DIRS`` of every template engine production declares
(whichever engine comes first finds ``bench/bare.html``); production's list is copied, not
changed in place.
"""

from pathlib import Path

from qpp_registration.settings.production import *  # noqa: F403
from qpp_registration.settings.production import TEMPLATES as PRODUCTION_TEMPLATES

ROOT_URLCONF = "bench.bare_urls"

BENCH_TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATES = [
    {**engine, "DIRS": [*engine.get("DIRS", []), BENCH_TEMPLATES]} for engine in PRODUCTION_TEMPLATES
]
