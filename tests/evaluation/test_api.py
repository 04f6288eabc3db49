"""The evaluation over the REST API: request a report (202), follow it, its files behind the
same permission; list what the caller may see; the indicators with their values."""

from datetime import date

import pytest
from django.test import Client

from accounts.models import ApiToken
from evaluation import compile, services
from evaluation.models import Report
from tests import factories
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/reports/"
INDICATORS = "/api/v1/indicators/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    # WeasyPrint takes seconds a report; tests/evaluation/test_reports.py renders real PDFs.
    monkeypatch.setattr(compile, "pdf_render", lambda html: b"%PDF-1.7 (a stand-in)")


class Api:
    def __init__(self, user):
        _, raw = ApiToken.objects.issue(user=user, name="tests")
        self.client, self.headers = Client(), {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def get(self, url, data=None, **extra):
        return self.client.get(url, data, **self.headers, **extra)

    def post(self, url, body):
        return self.client.post(url, body, content_type="application/json", **self.headers)


@pytest.fixture
def program(db):
    return factories.ProgramFactory(code="qbp", start_date=date(2026, 1, 1),
                                    end_date=date(2027, 12, 31))


BODY = {"program": "qbp", "kind": "process", "period_start": "2026-01-01",
        "period_end": "2026-03-31"}


def test_an_evaluator_requests_a_report_and_follows_it(program, evaluator_user,
                                                       django_capture_on_commit_callbacks):
    api = Api(evaluator_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(REPORTS, BODY)
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["status"] == "queued" and body["url"] == response["Location"]
    assert body["url"].startswith("http://testserver/api/v1/reports/")
    done = api.get(body["url"]).json()
    assert done["status"] == "succeeded" and done["progress"] == 100 and done["error"] is None
    assert set(done["files"]) == {"html", "pdf", "xlsx"}
    pdf = api.get(done["files"]["pdf"])  # with the same token
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert api.client.get(done["files"]["pdf"]).status_code == 401  # without it
    xlsx = api.get(done["files"]["xlsx"], HTTP_ACCEPT="application/octet-stream")
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]


def test_asking_again_while_it_runs_returns_the_running_report(program, evaluator_user):
    api = Api(evaluator_user)
    running = Report.objects.create(program=program, kind="process", status="running",
                                    progress=30, period_start=date(2026, 1, 1),
                                    period_end=date(2026, 3, 31))
    response = api.post(REPORTS, BODY)
    assert response.status_code == 202
    assert response.json()["id"] == running.pk and response.json()["progress"] == 30
    assert Report.objects.count() == 1


def test_a_failed_report_says_why(program, evaluator_user):
    failed = Report.objects.create(program=program, kind="process", status="failed",
                                   error="OperationalError: gone",
                                   period_start=date(2026, 1, 1), period_end=date(2026, 3, 31))
    body = Api(evaluator_user).get(f"{REPORTS}{failed.pk}/").json()
    assert body["error"] == "OperationalError: gone" and body["files"] is None


@pytest.mark.parametrize(("change", "field"), [
    ({"period_start": "2026-03-01", "period_end": "2026-02-01"}, "period_end"),
    ({"program": "nope"}, "program"),
    ({"coalition": 99999}, "coalition"),
    ({"kind": "formal"}, "kind"),
    ({"kind": "monthly"}, "kind"),
    ({"period_start": "soon"}, "period_start"),
])
def test_bad_input_is_a_400_naming_the_field(program, evaluator_user, change, field):
    response = Api(evaluator_user).post(REPORTS, {**BODY, **change})
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Report.objects.exists()


def test_a_coalition_outside_the_program_is_refused(program, evaluator_user, coalition):
    response = Api(evaluator_user).post(REPORTS, {**BODY, "coalition": coalition.pk})
    assert response.status_code == 400 and "not enrolled" in response.json()["coalition"][0]


def test_only_staff_ask_for_names_or_an_early_formal_analysis(program, evaluator_user,
                                                              staff_user):
    response = Api(evaluator_user).post(REPORTS, {**BODY, "include_names": True})
    assert response.status_code == 400 and "include_names" in response.json()
    response = Api(staff_user).post(REPORTS, {**BODY, "kind": "formal",
                                              "allow_early_formal": True})
    assert response.status_code == 202


def test_leads_members_and_anonymous_callers_cannot_request(program, lead_user, member_user,
                                                            client):
    assert client.post(REPORTS, BODY, content_type="application/json").status_code == 401
    assert client.get(REPORTS).status_code == 401
    assert client.get(INDICATORS).status_code == 401
    for user in (lead_user, member_user):
        assert Api(user).post(REPORTS, BODY).status_code == 403
        assert Api(user).get(INDICATORS).status_code == 403
    assert not Report.objects.exists()


def test_a_lead_reads_only_the_shared_reports_of_their_coalition(
        program, coalition, other_coalition, lead_user, member_user, staff_user):
    def made(target, shared):
        return Report.objects.create(program=program, kind="process", status="succeeded",
                                     coalition=target, shared_with_coalition=shared,
                                     period_start=date(2026, 1, 1),
                                     period_end=date(2026, 3, 31))

    own_shared, own_unshared = made(coalition, True), made(coalition, False)
    foreign_shared, whole = made(other_coalition, True), made(None, False)
    lead = Api(lead_user)
    assert [r["id"] for r in lead.get(REPORTS).json()["results"]] == [own_shared.pk]
    assert lead.get(f"{REPORTS}{own_shared.pk}/").status_code == 200
    for hidden in (own_unshared, foreign_shared, whole):
        assert lead.get(f"{REPORTS}{hidden.pk}/files/pdf/").status_code == 404
    for hidden in (own_unshared, foreign_shared, whole):
        assert lead.get(f"{REPORTS}{hidden.pk}/").status_code == 404
    assert Api(member_user).get(REPORTS).json()["results"] == []
    assert Api(member_user).get(f"{REPORTS}{own_shared.pk}/").status_code == 404
    staff_ids = {r["id"] for r in Api(staff_user).get(REPORTS).json()["results"]}
    assert staff_ids == {own_shared.pk, own_unshared.pk, foreign_shared.pk, whole.pk}


def test_the_list_pages_with_a_cursor_in_constant_queries(program, evaluator_user):
    api = Api(evaluator_user)

    def grow(n):
        for i in range(n):
            Report.objects.create(program=program, kind="outcome", requested_by=evaluator_user,
                                  coalition=factories.CoalitionFactory(),
                                  period_start=date(2026, 1, 1),
                                  period_end=date(2026, 1, 1 + i % 28))

    grow(3)
    api.get(REPORTS)  # the token's first use is recorded once
    few, _ = count_queries(api.client, f"{REPORTS}?page_size=2", **api.headers)
    grow(30)
    many, _ = count_queries(api.client, f"{REPORTS}?page_size=20", **api.headers)
    assert few == many
    first = api.get(REPORTS, {"page_size": 20}).json()
    second = api.get(first["next"]).json()
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert len(ids) == len(set(ids)) == 33


def test_indicators_list_definitions_and_values(program, evaluator_user):
    api = Api(evaluator_user)
    plain = api.get(INDICATORS).json()
    rate = next(r for r in plain["results"] if r["key"] == "attendance_rate")
    assert rate["numerator"] and rate["denominator"] and rate["factor"] == 100
    assert rate["values"] is None
    scoped = api.get(INDICATORS, {"program": "qbp", "period_start": "2026-01-01",
                                  "period_end": "2026-03-31"}).json()
    assert scoped["program"] == "qbp" and scoped["period_end"] == "2026-03-31"
    rate = next(r for r in scoped["results"] if r["key"] == "attendance_rate")
    assert rate["values"]["value"] is None  # no registrant: no data, never 0 %
    events = next(r for r in scoped["results"] if r["key"] == "events_held")
    assert events["values"]["value"] == 0


@pytest.mark.parametrize(("query", "field"), [
    ({"program": "nope"}, "program"),
    ({"program": "qbp", "period_start": "2026-03-01", "period_end": "2026-01-01"},
     "period_end"),
    ({"program": "qbp", "period_start": "x"}, "period_start"),
])
def test_indicators_refuse_bad_input_naming_the_field(program, evaluator_user, query, field):
    response = Api(evaluator_user).get(INDICATORS, query)
    assert response.status_code == 400 and field in response.json()


def test_the_api_root_lists_reports_and_indicators(client):
    root = client.get("/api/v1/").json()
    assert root["reports"].endswith(REPORTS) and root["indicators"].endswith(INDICATORS)


def test_the_share_service_is_for_staff(program, coalition, evaluator_user):
    report = Report.objects.create(program=program, kind="process", coalition=coalition,
                                   period_start=date(2026, 1, 1), period_end=date(2026, 3, 31))
    with pytest.raises(services.EvaluationError):
        services.report_share(report=report, shared=True, actor=evaluator_user)
