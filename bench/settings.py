"""Settings of the benchmark's server: the portal's, plus the baseline view's URL.

The database is ``DATABASE_URL`` when it is set, else a throwaway SQLite file under
``var/bench/`` (WAL, as the portal's default, with connections kept between requests).
"""

from config.settings import *  # noqa: F403
from config.settings import DATABASE_URL, DATABASES, INSTALLED_APPS, REST_FRAMEWORK, VAR_DIR

BENCH_DATABASE = VAR_DIR / "bench" / "bench.sqlite3"
if not DATABASE_URL:
    # A throwaway file, and connections kept as with DATABASE_URL (DB_CONN_MAX_AGE).
    DATABASES = {
        "default": {**DATABASES["default"], "NAME": BENCH_DATABASE, "CONN_MAX_AGE": 60}
    }

ROOT_URLCONF = "bench.urls"
# The bare registration baseline's table (bench/models.py).
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
DEBUG = False  # as in production: no query log, no debug pages
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# The load comes from one address; the throttles still count every request (their cost is
# part of what is measured) but never refuse one.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "1000000000/second", "user": "1000000000/second"},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": "WARNING"},
}
