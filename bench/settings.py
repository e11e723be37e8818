"""Production settings with the bare yardstick page of ``bench/load.py`` added to the URLs.

Everything else comes from the environment exactly as in production; ``bench/load.py`` sets
the switches that let it run over plain HTTP on loopback.
"""

from qpp_registration.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.bare_urls"
