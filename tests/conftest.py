"""Shared fixtures, and the rule for tests that need a real service.

A test marked ``postgres``, ``celery_worker`` or ``browser`` runs when its service is there.
Without it the test is skipped with the reason, and the summary lists every such skip; with
``REQUIRE_SERVICES=1`` (CI) a missing service fails the test instead.

``make test`` runs the suite in two processes (pytest-xdist, ``--dist loadgroup``). The tests
marked for a service run one after another in one of them (the ``services`` group): they
start Celery workers on the broker's one queue, time locks and drive Chromium. Each process
has its own test database (pytest-django) and, with Redis, its own cache database, since
tests clear the cache and count throttles.
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import override_settings

from accounts.roles import EVALUATOR, PROGRAM_STAFF
from coalitions.models import Membership
from config.celery import app as celery_app

from . import factories

CHROMIUM = Path("/usr/bin/chromium")


def _redis_reachable():
    if not settings.REDIS_URL:
        return False, "REDIS_URL is not set"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        return False, f"Redis at REDIS_URL does not answer ({error})"
    return True, ""


SERVICES = {
    "postgres": lambda: (
        (True, "") if settings.USING_POSTGRES else (False, "DATABASE_URL is not PostgreSQL")
    ),
    "celery_worker": _redis_reachable,
    "browser": lambda: (
        (True, "") if CHROMIUM.exists() or shutil.which("chromium") else
        (False, "Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    ),
}
_service_state = {}
_skipped_for_service = []


# Redis database numbers of the cache of each test process under pytest-xdist (gw0, gw1, ...).
XDIST_CACHE_DATABASE = 8


def pytest_configure(config):
    # Ordinary tests run tasks eagerly; tests marked celery_worker switch to the real broker.
    celery_app.conf.task_always_eager = True
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    cache = settings.CACHES["default"]
    if worker and cache["BACKEND"].endswith("RedisCache"):
        parts = urlsplit(cache["LOCATION"])
        number = XDIST_CACHE_DATABASE + int(worker.removeprefix("gw"))
        location = urlunsplit(parts._replace(path=f"/{number}"))
        os.environ["CACHE_URL"] = location  # and for the workers the tests start
        override_settings(CACHES={"default": {**cache, "LOCATION": location}}).enable()


SERVICE_GROUP = pytest.mark.xdist_group("services")


def pytest_collection_modifyitems(items):
    for item in items:
        if any(item.get_closest_marker(marker) for marker in SERVICES):
            item.add_marker(SERVICE_GROUP)


def pytest_runtest_setup(item):
    for marker, probe in SERVICES.items():
        if item.get_closest_marker(marker) is None:
            continue
        if marker not in _service_state:
            _service_state[marker] = probe()
        available, why = _service_state[marker]
        if available:
            continue
        reason = f"{marker}: {why}"
        if settings.REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
        pytest.skip(reason)


def pytest_runtest_logreport(report):
    # Here, not in the setup above: under pytest-xdist the reports reach the main process,
    # which writes the summary.
    if report.skipped and isinstance(report.longrepr, tuple | list):
        reason = report.longrepr[2].removeprefix("Skipped: ")
        if reason.split(":", 1)[0] in SERVICES:
            _skipped_for_service.append((report.nodeid, reason))


def pytest_terminal_summary(terminalreporter):
    database = "PostgreSQL" if settings.USING_POSTGRES else "SQLite"
    terminalreporter.write_sep("-", f"database: {database}; broker: "
                               f"{'Redis' if settings.REDIS_URL else 'eager (no REDIS_URL)'}")
    if _skipped_for_service:
        terminalreporter.write_sep("-", f"{len(_skipped_for_service)} tests skipped for a "
                                   "missing service (CI runs them with REQUIRE_SERVICES=1)")
        for nodeid, reason in _skipped_for_service:
            terminalreporter.write_line(f"  {nodeid}: {reason}")


# Argon2 costs about a tenth of a second a hash by design, and the suite makes users by the
# thousand: tests hash with MD5 (Argon2 still checks the hashes it made). The tests of the
# hashing itself ask for ``production_hashers``.
PRODUCTION_HASHERS = list(settings.PASSWORD_HASHERS)


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashes():
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher",
                                              *PRODUCTION_HASHERS]):
        yield


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS


@pytest.fixture
def broker_down():
    """Tasks go to a broker that nothing answers, as in an outage, instead of running eagerly:
    sending one raises kombu's OperationalError after Celery's publish retries (about 1 s)."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.broker_transport_options, conf.task_always_eager

    def new_connections():
        # Celery keeps its broker connection and producer pools; drop them so the next
        # send connects to the broker now configured.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    conf.broker_url, conf.broker_transport_options = "redis://127.0.0.1:1/0", {}
    conf.task_always_eager = False
    new_connections()
    try:
        yield
    finally:
        conf.broker_url, conf.broker_transport_options, conf.task_always_eager = saved
        new_connections()


# --- users and roles --------------------------------------------------------------------------


@pytest.fixture
def staff_user(db):
    user = factories.UserFactory(email="staff@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name=PROGRAM_STAFF))
    return user


@pytest.fixture
def evaluator_user(db):
    user = factories.UserFactory(email="evaluator@example.org")
    user.groups.add(Group.objects.get(name=EVALUATOR))
    return user


@pytest.fixture
def coalition(db):
    return factories.CoalitionFactory(name="Home Coalition")


@pytest.fixture
def other_coalition(db):
    return factories.CoalitionFactory(name="Other Coalition")


@pytest.fixture
def lead_user(coalition):
    return factories.MembershipFactory(
        coalition=coalition, role=Membership.Role.LEAD, user__email="lead@example.org"
    ).user


@pytest.fixture
def member_user(coalition):
    return factories.MembershipFactory(
        coalition=coalition, role=Membership.Role.MEMBER, user__email="member@example.org"
    ).user


@pytest.fixture
def program(db):
    return factories.ProgramFactory()


def _client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def staff_client(client, staff_user):
    return _client_for(client, staff_user)


@pytest.fixture
def evaluator_client(client, evaluator_user):
    return _client_for(client, evaluator_user)


@pytest.fixture
def lead_client(client, lead_user):
    return _client_for(client, lead_user)


@pytest.fixture
def member_client(client, member_user):
    return _client_for(client, member_user)
