"""Typed readers for environment variables, and what completes a Redis URL read from them.

Each reader fails closed: a variable that is set but malformed raises
``ImproperlyConfigured`` instead of silently falling back to a default.
"""

import ipaddress
import os
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name, default=None, *, required=False):
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"Set the {name} environment variable.")
        return default
    return value


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_float(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}.") from None


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_networks(name):
    """Comma-separated addresses or CIDR blocks (``10.0.8.0/24, 2001:db8::/48``)."""
    networks = []
    for item in env_list(name):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {item!r} is not an address or a CIDR block.") from None
    return networks


def redis_url_with_timeouts(url, *, connect=1, read=1):
    """``url`` with socket timeouts for the clients that read it (redis-py reads them from the
    query string), unless it names its own: enqueueing a task or ``/healthz`` waits a second for a
    stalled Redis, not forever. An RQ worker raises the read timeout to its own waits."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.setdefault("socket_connect_timeout", str(connect))
    query.setdefault("socket_timeout", str(read))
    return urlunsplit(parts._replace(query=urlencode(query)))
