"""Celery jobs of the evaluation: compile a report, and produce the scheduled ones."""

import logging
import threading

from celery import shared_task
from django.conf import settings
from django.db import connection
from django.utils import timezone

from . import compile, scheduling, services
from .models import Report

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None,
             time_limit=settings.REPORT_TIME_LIMIT,
             soft_time_limit=max(settings.REPORT_TIME_LIMIT - 10, 1))
def report_compile_task(self, report_id):
    """Compile a report once, however often it is delivered (see ``services``)."""
    token = services.report_claim(report_id)
    if token is None:
        report = Report.objects.filter(pk=report_id).only("status").first()
        if report is not None and report.status == Report.Status.RUNNING:
            # Another worker shows life: look again once it would count as lost.
            raise self.retry(countdown=settings.REPORT_STALE_SECONDS)
        return  # succeeded, failed, or gone: nothing to do
    report = Report.objects.select_related("program", "coalition").get(pk=report_id)

    def progress(percent, step):
        if heartbeat.lost or not services.report_progress(report_id, token, percent, step):
            raise LostClaim

    heartbeat = Heartbeat(report_id, token)
    try:
        snapshot = compile.snapshot_build(report, progress)
        progress(65, "Drawing charts")
        snapshot["charts"] = {row["key"]: compile.chart_svg(row)
                              for row in snapshot["indicators"]}
        progress(75, "Writing the page")
        html = compile.html_render(snapshot)
        progress(82, "Writing the PDF")
        pdf = compile.pdf_render(compile.html_render(snapshot, for_pdf=True))
        progress(92, "Writing the workbook")
        xlsx = compile.xlsx_render(snapshot)
        files = compile.files_store(report, {
            "html_file": ("html", html.encode("utf-8")),
            "pdf_file": ("pdf", pdf),
            "xlsx_file": ("xlsx", xlsx),
        })
        services.report_finish(report_id, token, snapshot=snapshot, files=files)
    except LostClaim:
        logger.warning("Report %s was taken over by another run; this one stops.", report_id)
    except Exception as error:
        logger.exception("Report %s failed", report_id)
        services.report_fail(report_id, token, f"{error.__class__.__name__}: {error}")
    finally:
        heartbeat.stop()


class LostClaim(Exception):
    pass


class Heartbeat:
    """Shows the run's life from a thread every quarter of REPORT_STALE_SECONDS, whatever step
    the compile is on. Progress alone beats only between steps, so one step longer than
    REPORT_STALE_SECONDS (a large PDF) would look like a dead worker: a redelivered job would
    take the report over, and the next would take it from that one, and none would finish.
    The thread dies with its process, so a killed worker still goes silent."""

    def __init__(self, report_id, token):
        self.report_id, self.token, self.lost = report_id, token, False
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True,
                                        name=f"report-{report_id}-heartbeat")
        self._thread.start()

    def _beat(self):
        interval = max(settings.REPORT_STALE_SECONDS / 4, 0.5)
        try:
            while not self._stopped.wait(interval):
                if not services.report_heartbeat(self.report_id, self.token):
                    self.lost = True
                    return
        finally:
            connection.close()  # this thread's own connection

    def stop(self):
        self._stopped.set()
        self._thread.join()


@shared_task
def reports_schedule_task():
    """Queue what the schedule owes: each active program's quarterly process report once a
    quarter has ended, and the formal analysis once a program has ended. A schedule missed
    while the scheduler was down is caught up here, and nothing is ever asked twice."""
    return scheduling.reports_due_request(today=timezone.localdate())
