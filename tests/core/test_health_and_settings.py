import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

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


def test_production_refuses_the_default_secret_key():
    result = run_django({"DJANGO_ENV": "production", "ALLOWED_HOSTS": "portal.example.org"},
                        "check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_debug():
    result = run_django({"DJANGO_ENV": "production", "SECRET_KEY": LONG_KEY, "DEBUG": "1",
                         "ALLOWED_HOSTS": "portal.example.org"}, "check")
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_production_passes_the_deployment_checklist():
    result = run_django({"DJANGO_ENV": "production", "SECRET_KEY": LONG_KEY,
                         "ALLOWED_HOSTS": "portal.example.org"},
                        "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_demo_loader_refuses_production():
    result = run_django({"DJANGO_ENV": "production", "SECRET_KEY": LONG_KEY,
                         "ALLOWED_HOSTS": "portal.example.org"}, "load_demo")
    assert result.returncode != 0
    assert "never loaded with DJANGO_ENV=production" in result.stderr
