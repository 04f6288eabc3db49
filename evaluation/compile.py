"""Compiling a report: indicators into a frozen snapshot, then files rendered from it.

Every step reads the snapshot, never the live data, so the HTML, the PDF and the workbook
show the same numbers, and a report reads the same after the data change. Charts are drawn
once, on the server, as SVG (matplotlib), and embedded in the page and the PDF alike; each
has its data table beside it.
"""

import base64
import io
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone

from . import indicators
from .models import Finding, Report, Target

KIND_INDICATORS = {
    Report.Kind.PROCESS: ("process",),
    Report.Kind.OUTCOME: ("outcome",),
    Report.Kind.FORMAL: ("process", "outcome"),
}


def snapshot_build(report, progress=lambda percent, step: None):
    """Compute every indicator of the report's kind once: the numbers the report will show."""
    scope = indicators.Scope(report.program, report.period_start, report.period_end,
                             report.coalition)
    chosen = [i for i in indicators.REGISTRY.values() if i.kind in KIND_INDICATORS[report.kind]]
    targets = {
        t.indicator: float(t.value) for t in Target.objects.filter(
            program=report.program, period_start__lte=report.period_end,
            period_end__gte=report.period_start)
    }
    rows = []
    for n, indicator in enumerate(chosen):
        progress(5 + int(55 * n / max(len(chosen), 1)), f"Computing {indicator.name.lower()}")
        current = indicators.compute(indicator, scope)
        baseline = indicators.compute(indicator, indicators.baseline_scope(scope))
        rows.append({
            "key": indicator.key, "name": indicator.name, "definition": indicator.definition,
            "kind": indicator.kind, "unit": indicator.unit, "question": indicator.question,
            "numerator_label": indicator.numerator, "denominator_label": indicator.denominator,
            "factor": indicator.factor, **current, "baseline": baseline["value"],
            "target": targets.get(indicator.key),
        })
    corrections = [
        {"finding": f.finding, "decision": f.decision, "due_date": f.due_date.isoformat(),
         "status": f.get_status_display(), "owner": f.owner.get_full_name() or "staff"}
        for f in Finding.objects.filter(report__program=report.program,
                                        status__in=Finding.OPEN_STATUSES)
        .exclude(report=report).select_related("owner")
    ]
    snapshot = {
        "title": str(report),
        "program": report.program.name,
        "kind": report.get_kind_display(),
        "period_start": report.period_start.isoformat(),
        "period_end": report.period_end.isoformat(),
        "coalition": report.coalition.name if report.coalition_id else None,
        "computed_at": timezone.now().isoformat(),
        "questions": {str(k): v for k, v in indicators.QUESTIONS.items()},
        "indicators": rows,
        "open_corrections": corrections,
    }
    if report.include_names:
        progress(60, "Listing the attendees for the appendix")
        snapshot["appendix"] = appendix_build(scope)
    return snapshot


APPENDIX_ROWS = 5000


def appendix_build(scope):
    """The names appendix (staff ask for it): who attended, one row a person, at most
    ``APPENDIX_ROWS`` of them (by name) with the count of all, so a report stays a size a
    browser, a PDF and the snapshot can hold."""
    people = indicators.attendees(scope)
    rows = [{"name": p["person_name"], "email": p["address"],
             "coalition": p["coalition_name"] + (f" and {p['coalitions'] - 1} more"
                                                 if p["coalitions"] > 1 else ""),
             "events": p["events"]} for p in people[:APPENDIX_ROWS]]
    total = len(rows) if len(rows) < APPENDIX_ROWS else people.count()
    return {"attendees": rows, "total": total}


def chart_svg(row):
    """One indicator's breakdown as a horizontal bar chart, in SVG; None when it has none."""
    items = [(label, value) for label, value in row["breakdown"].items()
             if isinstance(value, int | float)]
    if not items:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot
    from matplotlib.figure import Figure

    pyplot.rcParams["svg.hashsalt"] = row["key"]  # the same data draw the same file
    figure = Figure(figsize=(6.4, 0.45 * len(items) + 0.9))
    axes = figure.add_subplot()
    labels = [label for label, _ in items][::-1]
    values = [value for _, value in items][::-1]
    axes.barh(labels, values, color="#005ea2")
    axes.set_title(row["name"], fontsize=10, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=8)
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]


def html_render(snapshot, *, for_pdf=False):
    return render_to_string("evaluation/report_document.html", {
        "snapshot": snapshot, "rows": report_rows(snapshot), "for_pdf": for_pdf,
    })


def report_rows(snapshot):
    """The snapshot's indicators with their chart as a data URI (the same picture in the
    page, the HTML file and the PDF), grouped as process, then outcome by question."""
    charts = snapshot.get("charts", {})
    rows = []
    for row in snapshot["indicators"]:
        svg = charts.get(row["key"])
        uri = ("data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
               if svg else None)
        rows.append({**row, "chart": uri})
    return rows


def pdf_render(html):
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def xlsx_render(snapshot):
    """A workbook with every indicator's value, baseline, target and definition."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Indicators")
    sheet.append(["Key", "Indicator", "Kind", "Question", "Unit", "Value", "Baseline",
                  "Target", "Numerator", "Denominator", "Definition"])
    for row in snapshot["indicators"]:
        sheet.append([row["key"], row["name"], row["kind"], row["question"], row["unit"],
                      row["value"], row["baseline"], row["target"], row["numerator"],
                      row["denominator"], row["definition"]])
    details = book.create_sheet("Breakdowns")
    details.append(["Key", "Indicator", "Part", "Value"])
    for row in snapshot["indicators"]:
        for label, value in row["breakdown"].items():
            details.append([row["key"], row["name"], label, value])
    appendix = snapshot.get("appendix")
    if appendix is not None:
        names = book.create_sheet("Appendix - names")
        names.append(["Name", "E-mail", "Coalition", "Events attended"])
        for person in appendix["attendees"]:
            names.append([person["name"], person["email"], person["coalition"],
                          person["events"]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def files_store(report, parts):
    """Write each file under a new name (nothing an earlier run wrote is overwritten)."""
    run = uuid.uuid4().hex[:12]
    stored = {}
    for field, (suffix, content) in parts.items():
        name = f"reports/{report.pk}/{report.kind}-{report.period_start}-{run}.{suffix}"
        stored[field] = default_storage.save(name, ContentFile(content))
    return stored
