import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """The API caches answers by catalog version; each test starts and ends with none."""
    cache.clear()
    yield
    cache.clear()
