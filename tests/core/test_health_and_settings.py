import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from config.settings import redis_next_database

ROOT = Path(__file__).resolve().parents[2]
LONG_KEY = "k" * 30 + "-production-test-key-not-a-secret-1234567890"


@pytest.mark.django_db
def test_healthz_reports_the_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_down(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"].startswith("error")


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


def run_django(env, *args):
    """Run manage.py in a fresh process with only the given settings environment."""
    base = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env},
        capture_output=True, text=True, timeout=60, check=False,
    )


# A production environment that is complete; each test leaves out or changes one thing.
PRODUCTION = {
    "DJANGO_ENV": "production", "SECRET_KEY": LONG_KEY, "ALLOWED_HOSTS": "portal.example.org",
    "DATABASE_URL": "postgres://portal@db.example.org:5432/portal",
    "REDIS_URL": "redis://redis.example.org:6379/0", "PROXY_COUNT": "1",
}


def production(**changes):
    env = {**PRODUCTION, **changes}
    return {name: value for name, value in env.items() if value is not None}


def production_settings(**changes):
    """The settings a production process reads from this environment (without starting it)."""
    code = ("import json; from django.conf import settings as s; print(json.dumps({"
            "'SECURE_HSTS_PRELOAD': s.SECURE_HSTS_PRELOAD, 'CELERY_BROKER_URL': "
            "s.CELERY_BROKER_URL, 'CACHE': s.CACHES['default']['LOCATION']}))")
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "DJANGO_SETTINGS_MODULE": "config.settings",
           **production(**changes)}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_refuses_the_default_secret_key():
    result = run_django(production(SECRET_KEY=None), "check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_debug():
    result = run_django(production(DEBUG="1"), "check")
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL"])
def test_production_refuses_to_start_without_its_database_or_broker(missing):
    # Rather than fall back to SQLite or the filesystem broker in each process on its own.
    result = run_django(production(**{missing: None}), "check")
    assert result.returncode != 0
    assert f"ImproperlyConfigured: DJANGO_ENV=production needs {missing}" in result.stderr


def test_production_passes_the_deployment_checklist():
    result = run_django(production(), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_hsts_preload_is_off_unless_asked_for():
    # A preloaded domain is HTTPS-only in browsers for months after it leaves the list.
    assert production_settings()["SECURE_HSTS_PRELOAD"] is False
    assert production_settings(SECURE_HSTS_PRELOAD="1")["SECURE_HSTS_PRELOAD"] is True


def test_the_demo_loader_refuses_production():
    result = run_django(production(), "load_demo")
    assert result.returncode != 0
    assert "never loaded with DJANGO_ENV=production" in result.stderr


# --- cache and broker in separate Redis databases ---------------------------------------------


@pytest.mark.parametrize(("broker", "cache"), [
    ("redis://redis.example.org:6379/0", "redis://redis.example.org:6379/1"),
    ("redis://redis.example.org:6379", "redis://redis.example.org:6379/1"),
    ("rediss://:secret@redis.example.org:6380/4?ssl_cert_reqs=required",
     "rediss://:secret@redis.example.org:6380/5?ssl_cert_reqs=required"),
    ("unix:///run/redis/redis.sock?db=2", "unix:///run/redis/redis.sock?db=3"),
])
def test_the_cache_takes_the_brokers_next_redis_database(broker, cache):
    assert redis_next_database(broker) == cache


def test_the_cache_database_follows_redis_url_unless_cache_url_names_one():
    derived = production_settings()
    assert derived["CELERY_BROKER_URL"] == "redis://redis.example.org:6379/0"
    assert derived["CACHE"] == "redis://redis.example.org:6379/1"
    chosen = production_settings(CACHE_URL="redis://cache.example.org:6379/0")
    assert chosen["CACHE"] == "redis://cache.example.org:6379/0"


def test_a_cache_url_on_the_brokers_database_is_refused():
    result = run_django(production(CACHE_URL="redis://redis.example.org:6379/0"), "check")
    assert result.returncode != 0
    assert "CACHE_URL names the broker's Redis database" in result.stderr


@pytest.mark.celery_worker  # needs the Redis at REDIS_URL
def test_clearing_the_cache_keeps_the_queued_jobs():
    import redis

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.rpush("portal-test-queued-job", "a job")
    try:
        cache.set("portal-test-cached", "an answer")
        cache.clear()
        assert cache.get("portal-test-cached") is None
        assert broker.lrange("portal-test-queued-job", 0, -1) == [b"a job"]
    finally:
        broker.delete("portal-test-queued-job")
