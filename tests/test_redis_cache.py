"""The Redis cache (``REDIS_URL``) keeps one client per connection pool and still does everything
Django's backend does, against a real Redis: the sign-in throttles live there in production.
While Redis cannot be reached it answers from the database's cache table (tests/outages/ stops a
real Redis under the portal)."""

import os
import time

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from qpp_registration.core.redis_cache import UNREACHABLE, PortalRedisCache, _skip_until

REDIS = os.environ.get("TEST_CACHE_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def redis_cache():
    cache = PortalRedisCache(REDIS, {"KEY_PREFIX": f"test-{os.getpid()}"})
    cache.clear()
    yield cache
    cache.clear()


def test_every_operation_of_a_process_uses_one_client_per_pool(redis_cache):
    assert redis_cache._cache.get_client() is redis_cache._cache.get_client(write=True)
    # Django's own backend builds one per operation, which is what this one saves.
    django_cache = RedisCache(REDIS, {})
    assert django_cache._cache.get_client() is not django_cache._cache.get_client()


def test_the_shared_state_operations_behave_as_djangos(redis_cache):
    assert redis_cache.add("throttle:ip", 1, timeout=60)
    assert not redis_cache.add("throttle:ip", 5, timeout=60)
    assert redis_cache.incr("throttle:ip") == 2
    redis_cache.set_many({"code:1": True, "code:2": True}, timeout=60)
    assert redis_cache.get_many(["code:1", "code:2", "code:3"]) == {"code:1": True, "code:2": True}
    redis_cache.delete("code:1")
    assert redis_cache.get("code:1") is None
    assert redis_cache.get_or_set("session", {"user": 7}, timeout=60) == {"user": 7}
    assert redis_cache.touch("session", timeout=30)


@pytest.mark.django_db
def test_an_unreachable_redis_is_left_to_the_database_for_a_few_seconds(settings):
    settings.CACHES = {
        **settings.CACHES,
        "database": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "qpp_cache"},
    }
    # Nothing listens on port 1: every connection is refused.
    unreachable = PortalRedisCache("redis://127.0.0.1:1/0", {"FALLBACK": "database", "RETRY_SECONDS": 30})
    try:
        assert unreachable.add("allauth:rl:login", [1.0], timeout=60)
        assert unreachable.get("allauth:rl:login") == [1.0]
        assert caches["database"].get("allauth:rl:login") == [1.0]  # counted where it can be read again
        with pytest.raises(UNREACHABLE):
            unreachable.check_reachable()  # /healthz says Redis is down

        # Left alone meanwhile: no connection tried, no time lost.
        unreachable._cache.get_client = None
        assert unreachable.get("allauth:rl:login") == [1.0]
    finally:
        _skip_until.pop(unreachable._location, None)


def test_without_a_fallback_the_error_is_raised_as_djangos_backend_does():
    unreachable = PortalRedisCache("redis://127.0.0.1:1/0", {})

    with pytest.raises(UNREACHABLE):
        unreachable.get("key")


@pytest.mark.django_db
def test_redis_is_tried_again_once_the_pause_is_over(redis_cache_with_fallback):
    cache, location = redis_cache_with_fallback
    _skip_until[location] = time.monotonic() - 1  # a pause that has ended

    cache.set("throttle", 3, timeout=60)

    assert caches["database"].get("throttle") is None
    assert cache.get("throttle") == 3  # from Redis itself


@pytest.fixture
def redis_cache_with_fallback(settings):
    settings.CACHES = {
        **settings.CACHES,
        "database": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "qpp_cache"},
    }
    cache = PortalRedisCache(REDIS, {"KEY_PREFIX": f"test-fallback-{os.getpid()}", "FALLBACK": "database"})
    cache.clear()
    yield cache, cache._location
    cache.clear()
    _skip_until.pop(cache._location, None)
