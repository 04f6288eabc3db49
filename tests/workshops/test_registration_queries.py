"""What a registration costs while it holds the event's lock: every statement between the
lock and the commit is paid once per registration, in a queue (``python -m bench
registrations``), so the count is pinned."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from workshops import services
from workshops.models import Registration

from .conftest import make_event

pytestmark = pytest.mark.django_db


def statements_in_the_transaction(run):
    """The statements after the transaction's start (PostgreSQL: the first is the lock)."""
    with CaptureQueriesContext(connection) as context:
        registration = run()
    sql = [query["sql"] for query in context.captured_queries]
    began = next(i for i, text in enumerate(sql) if text.upper().startswith(("BEGIN",
                                                                          "SAVEPOINT")))
    return registration, sql[began + 1:]


@pytest.mark.parametrize("capacity", [1, None])
def test_a_registration_reads_once_and_writes_three_rows_under_the_lock(
    program, staff_user, coalition, capacity
):
    event = make_event(program, staff_user, capacity=capacity, per_coalition_limit=5)
    services.registration_create(event=event, coalition=coalition, email="first@example.org",
                                 name="First", actor=staff_user)

    registration, statements = statements_in_the_transaction(
        lambda: services.registration_create(event=event, coalition=coalition,
                                             email="second@example.org", name="Second",
                                             actor=staff_user)
    )

    # the lock (PostgreSQL); the event with the address, the coalition's registrations and
    # the seats held, in one query; then the registration, its history row and its notice
    statements = [text for text in statements
                  if not text.upper().startswith(("SAVEPOINT", "RELEASE", "COMMIT"))]
    if connection.vendor == "postgresql":
        assert "pg_advisory_xact_lock(" in statements.pop(0)
    kinds = [text.split()[0].upper() for text in statements]
    assert kinds == ["SELECT", "INSERT", "INSERT", "INSERT"], statements
    assert "workshops_event" in statements[0].split("FROM")[1]
    assert registration.status == (Registration.Status.WAITING if capacity
                                   else Registration.Status.CONFIRMED)
    assert registration.notices.get().kind == (
        "waiting" if capacity else "confirmed"
    )
