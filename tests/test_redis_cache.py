"""The Redis cache (``REDIS_URL``) keeps one client per connection pool and still does everything
Django's backend does, against a real Redis: sessions, throttles and one-time-code markers
live there in production."""

import os

import pytest
from django.core.cache.backends.redis import RedisCache

from qpp_registration.redis_cache import PortalRedisCache

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
