"""The OpenAPI schema and its documentation page, and a property-based run of every operation
of the schema against the app: no server error, no answer that breaks the schema."""

from datetime import date, timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi import checks

from accounts.models import ApiToken
from measures import services
from tests import factories
from workshops import services as workshops_services

pytestmark = pytest.mark.django_db



def test_the_schema_is_openapi_3_and_describes_every_endpoint(client):
    response = client.get("/api/schema/?format=json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/", "/api/v1/measures/", "/api/v1/measures/{code}/", "/api/v1/measure-sets/",
        "/api/v1/measure-sets/{code}/", "/api/v1/tools/", "/api/v1/tools/{code}/",
        "/api/v1/adoptions/", "/api/v1/adoptions/{id}/", "/api/v1/incentive-programs/",
        "/api/v1/incentive-programs/{id}/", "/api/v1/events/", "/api/v1/events/{id}/",
        "/api/v1/events/{id}/registrations/", "/api/v1/events/{id}/registrations/{rid}/",
        "/api/v1/reports/", "/api/v1/reports/{id}/", "/api/v1/reports/{id}/files/{fmt}/",
        "/api/v1/indicators/",
    }
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_the_schema_documents_each_parameter_and_error(client):
    schema = client.get("/api/schema/?format=json").json()
    measures = schema["paths"]["/api/v1/measures/"]["get"]
    parameters = {p["name"]: p for p in measures["parameters"]}

    assert {"set", "type", "level", "domain", "setting", "status", "code", "search",
            "ordering", "cursor", "page_size", "format", "If-None-Match"} <= set(parameters)
    assert parameters["page_size"]["schema"]["maximum"] == 500
    assert parameters["type"]["schema"]["items"]["enum"] == [
        "composite", "efficiency", "outcome", "patient_experience", "process", "structure"
    ]
    assert all(p.get("description") for p in parameters.values()
               if p["name"] not in {"type", "level", "status"})
    assert {"200", "304", "400", "401", "429"} <= set(measures["responses"])
    assert "Retry-After" in measures["responses"]["429"]["headers"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            assert {"401", "429"} <= documented, (method, path)
            if "{" in path:
                assert "404" in documented, (method, path)


def test_the_documentation_page_is_served_without_the_internet(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower()
    # The start script is a file (the page runs under a strict CSP); it names the schema.
    script = client.get("/api/docs/?script=").content.decode()
    assert "/api/schema/" in script


# --- the property-based run -------------------------------------------------------------------


@pytest.fixture
def wsgi_app():
    """The app in-process, in the test's transaction: Django's test client keeps requests
    from closing the connection in the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_data(staff_user, coalition, other_coalition):
    sets = [factories.MeasureSetFactory(code=code) for code in ("PQI", "PSI")]
    measures = [factories.MeasureFactory(measure_set=sets[i % 2], code=f"PQI {i:02d}",
                                         type=["", "outcome", "composite"][i % 3])
                for i in range(6)]
    measures[2].components.set(measures[:2])
    factories.ToolFactory(code="T1")
    program = factories.IncentiveProgramFactory(coalition=coalition, name="P4P")
    program.measures.set(measures[:2])
    for owner in (coalition, other_coalition):
        services.adoption_create(coalition=owner, measure=measures[0], use="p4p",
                                 stage="planned", stage_since=date(2026, 1, 5),
                                 actor=staff_user)
    # An event with a seat taken and one waiting, for the events' operations (ids 1 and 1..2).
    start = timezone.now() + timedelta(days=10)
    event = workshops_services.event_create(
        actor=staff_user, program=factories.ProgramFactory(), kind="web_conference",
        title="QI in report cards", start=start, end=start + timedelta(hours=2),
        capacity=1, join_url="https://meet.example.org/j/1", status="published",
    )
    for email in ("a@example.org", "b@example.org"):
        workshops_services.registration_create(event=event, coalition=coalition, email=email,
                                                name="A Person", actor=staff_user)
    _, raw = ApiToken.objects.issue(user=staff_user)
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def api_schema(wsgi_app, settings):
    rates = {"anon": "1000000/day", "user": "1000000/day"}
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK,
                                           "DEFAULT_THROTTLE_RATES": rates}):
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)


def _operations():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    return [(method.upper(), path) for path, operations in paths.items()
            for method in operations]


CHECKS = [
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


OPERATIONS = _operations()


@pytest.mark.parametrize(("method", "path"), OPERATIONS,
                         ids=[f"{method} {path}" for method, path in OPERATIONS])
def test_no_operation_answers_a_server_error_or_breaks_the_schema(
    api_schema, api_data, method, path
):
    """Valid and invalid requests made from the schema (30 per operation, of both kinds),
    with a staff token: every answer is documented and matches its schema."""
    operation = api_schema[path][method]
    cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                      operation.as_strategy(GenerationMode.NEGATIVE))

    @given(case=cases)
    @settings(max_examples=30, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case):
        response = case.call(headers=api_data)
        assert response.status_code < 500, (case.path_parameters, case.query, case.body,
                                             response.text[:2000])
        case.validate_response(response, checks=CHECKS)

    run()
