"""Query counting for the rule that a list answers in the same number of queries at any size."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url, **extra):
    """GET ``url``; return how many queries it made and their SQL."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, **extra)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(context), [query["sql"] for query in context.captured_queries]


def assert_constant(client, url, grow, *, small=5, large=50):
    """Count the page's queries, add rows with ``grow(n)``, count again: the same number,
    or the failure prints every statement of the larger run."""
    grow(small)
    few, _ = count_queries(client, url)
    grow(large - small)
    many, statements = count_queries(client, url)
    assert few == many, (
        f"{url}: {few} queries at {small} rows, {many} at {large}:\n" + "\n".join(statements)
    )
    return many
