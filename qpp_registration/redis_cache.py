"""Django's Redis cache with one ``redis.Redis`` client per connection pool.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` object around the pool for
every cache operation: 3–4 a request here (the session, the throttles), about 0.1 ms each
[issue 24]. A client is thread-safe and only borrows a connection from its pool for each
command, so one per pool does the same work; the pool itself notices a fork and starts afresh in
the child (gunicorn's workers). A subclass rather than django-redis: the same options and
behaviour as Django's backend, nothing else to configure or learn
(docs/decisions/0010-pages-drawn-cheaply.md).
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


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
