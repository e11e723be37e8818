"""Django's Redis cache with one ``redis.Redis`` client per connection pool, and the database
behind it while Redis cannot be reached.

One client per pool: Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` object
around the pool for every cache operation, about 0.1 ms each [issue 24]. A client is thread-safe
and only borrows a connection from its pool for each command, so one per pool does the same work;
the pool itself notices a fork and starts afresh in the child (gunicorn's workers). A subclass
rather than django-redis: the same options and behaviour as Django's backend, nothing else to
configure or learn (docs/decisions/0010-pages-drawn-cheaply.md).

The database behind it: the cache holds the sign-in throttles, which must neither stop sign-in
nor stop counting while Redis is stalled, restarting or gone. Django's backend raises on a
connection error or timeout; this one then answers from the cache named in ``FALLBACK`` (the
database's cache table) and keeps to it for ``RETRY_SECONDS`` before trying Redis again, so
a stall costs one socket timeout per process every few seconds, not one per operation. Any
other error is raised as before, and so is an error of the fallback itself: a throttle that
cannot be read refuses rather than lets through (docs/decisions/0011-failure-modes.md).
"""

import logging
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("qpp.cache")

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)

# Until when (time.monotonic()) each Redis location is left alone: one clock per process,
# shared by its threads (each thread has its own cache object).
_skip_until = {}


class PooledClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class PortalRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = PooledClient
        self._fallback_alias = params.get("FALLBACK")
        self._retry_seconds = params.get("RETRY_SECONDS", 5)
        self._location = tuple(self._servers)

    def check_reachable(self):
        """Raise unless Redis itself answers (``/healthz``): never the fallback."""
        self._cache.get_client(write=True).ping()

    def _either(self, operation, *args, **kwargs):
        """``operation`` on Redis, or on the fallback while Redis cannot be reached."""
        if self._fallback_alias is None:
            return getattr(super(), operation)(*args, **kwargs)
        if time.monotonic() >= _skip_until.get(self._location, 0):
            try:
                return getattr(super(), operation)(*args, **kwargs)
            except UNREACHABLE as error:
                _skip_until[self._location] = time.monotonic() + self._retry_seconds
                logger.warning(
                    "Redis cache unreachable (%s: %s): the database's cache answers for %s s",
                    type(error).__name__,
                    error,
                    self._retry_seconds,
                )
        return getattr(caches[self._fallback_alias], operation)(*args, **kwargs)

    def add(self, *args, **kwargs):
        return self._either("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._either("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._either("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._either("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._either("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._either("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._either("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._either("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._either("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._either("delete_many", *args, **kwargs)

    def clear(self):
        return self._either("clear")
