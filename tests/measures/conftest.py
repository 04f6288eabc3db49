import pytest
from django.core.cache import cache

from measures.selectors import catalog_version_forget


@pytest.fixture(autouse=True)
def empty_cache():
    """The API caches answers by catalog version, and each process memoises that version
    for a moment: each test starts and ends with neither."""
    cache.clear()
    catalog_version_forget()
    yield
    cache.clear()
    catalog_version_forget()
