import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """Counts kept in the cache (API and password-reset throttles) start at zero in each test."""
    cache.clear()
    yield
    cache.clear()
