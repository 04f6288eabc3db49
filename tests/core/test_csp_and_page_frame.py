"""What every page sends and shows around its content: the Content-Security-Policy, the
favicon, and the footer's links for API clients."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def directives(response):
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.parametrize(
    "path",
    [
        "/", "/measures/", "/accounts/login/", "/api/docs/", "/api/docs/?script=",
        "/fhir/r4/metadata",
    ],
)
def test_every_answer_carries_a_policy_that_allows_only_the_portals_own_files(client, path):
    response = client.get(path)

    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["img-src"] == (
        ["'self'", "data:"] if path.startswith("/api/docs/") else ["'self'"]
    )
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_the_admin_is_under_the_same_policy(admin_client):
    response = admin_client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert directives(response)["script-src"] == ["'self'"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)


@pytest.mark.parametrize("path", ["/measures/", "/api/docs/"])
def test_pages_hold_no_inline_script_or_style_the_policy_would_refuse(client, path):
    html = client.get(path).content.decode()

    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE.search(html)


def test_the_program_page_draws_its_capacity_bars_without_inline_styles(staff_client, program):
    html = staff_client.get(program.get_absolute_url()).content.decode()

    assert 'class="portal-meter"' in html
    assert not INLINE_STYLE.search(html)


def test_the_api_docs_start_script_is_a_file_of_its_own(client):
    page = client.get("/api/docs/").content.decode()
    script = client.get("/api/docs/?script=")

    assert '<script src="/api/docs/?script=' in page
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_every_page_links_the_api_documentation_and_the_fhir_endpoint(client):
    footer = client.get("/").content.decode().split('<footer', 1)[1]

    assert f'href="{reverse("api-docs")}"' in footer
    assert f'href="{reverse("fhir:metadata")}"' in footer


def test_pages_name_their_favicon_and_favicon_ico_leads_to_it(client):
    html = client.get("/").content.decode()
    response = client.get("/favicon.ico")

    icon = re.search(r'<link rel="icon" href="([^"]+\.ico)"', html).group(1)
    assert response.status_code == 302
    assert response["Location"] == icon
