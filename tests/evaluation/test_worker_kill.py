"""A real Celery worker on Redis, killed in the middle of a report's compile.

Each test starts the worker as a subprocess in its own process group
(``tests/evaluation/slow_worker.py``: the portal's worker with a pause before each indicator,
so that a compile lasts a few seconds), on a queue of its own, against the test database
(PostgreSQL: the worker is another process and must see the test's rows). Settings are
shortened through the environment: a run silent for REPORT_STALE_SECONDS (5) is taken over,
and Redis redelivers an unacknowledged job after CELERY_VISIBILITY_TIMEOUT.

What they show (see the README, "Reports that survive a worker's death"):
- a killed pool child: its job goes back to the queue at once (``reject_on_worker_lost``);
  the next delivery waits for the dead run's heartbeat to go stale, then takes it over;
- a killed worker (the whole process group): the job comes back only after the visibility
  timeout and kombu's restore sweep; another worker then takes the report over;
- a job delivered again while it still runs on a healthy worker (the visibility timeout is
  shorter than the compile) finds the report running with a fresh heartbeat and leaves it.
In every case the report succeeds exactly once, with its three complete files and nothing
else in its folder.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from openpyxl import load_workbook
from pypdf import PdfReader

from config.celery import app as celery_app
from evaluation.models import Report
from evaluation.tasks import report_compile_task
from tests import factories

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres,
              pytest.mark.django_db(transaction=True),
              pytest.mark.timeout(240)]  # a worker's start and a PDF are slow on a busy machine

BASE_DIR = Path(settings.BASE_DIR)
STALE_SECONDS = 5


def database_url():
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}")


class Worker:
    """``celery worker`` in a process group of its own, logging to a file."""

    def __init__(self, queue, media, log, *, visibility_timeout, concurrency=1, pause=0.1,
                 pdf_pause=0):
        self.log = log
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url(),
            "DB_CONN_MAX_AGE": "0",
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_TASK_ALWAYS_EAGER": "",
            "REPORT_STALE_SECONDS": str(STALE_SECONDS),
            "REPORT_TIME_LIMIT": "180",
            "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
            "TEST_MEDIA_ROOT": str(media),
            "TEST_INDICATOR_PAUSE": str(pause),
            "TEST_PDF_PAUSE": str(pdf_pause),
        }
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.evaluation.slow_worker", "-Q", queue,
                 "--concurrency", str(concurrency), "--hostname", f"{uuid.uuid4().hex}@test"],
                cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, as a deployed worker
            )
        assert wait_for(lambda: "ready." in self.text(), timeout=30), self.text()

    def text(self):
        return Path(self.log).read_text(errors="replace")

    def children(self):
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def kill_pool_child(self):
        (child,) = self.children()
        os.kill(child, signal.SIGKILL)

    def kill_group(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def queue():
    """A queue of the test's own, emptied afterwards."""
    name = f"test-worker-kill-{uuid.uuid4().hex[:8]}"
    celery_app.conf.task_always_eager = False
    try:
        yield name
    finally:
        celery_app.conf.task_always_eager = True
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_delete(name)


@pytest.fixture
def workers(tmp_path):
    started = []

    def start(queue, **options):
        worker = Worker(queue, tmp_path / "media", tmp_path / "worker.log", **options)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def report(db):
    program = factories.ProgramFactory(start_date=date(2026, 1, 1), end_date=date(2026, 12, 31))
    for _ in range(3):
        enrollment = factories.EnrollmentFactory(program=program)
        factories.ContactFactory(coalition=enrollment.coalition)
    return Report.objects.create(program=program, kind=Report.Kind.FORMAL,
                                 period_start=date(2026, 1, 1), period_end=date(2026, 12, 31))


def running_past(report, percent):
    def check():
        report.refresh_from_db()
        return report.status == Report.Status.RUNNING and report.progress >= percent
    return check


def assert_succeeded_once_with_complete_files(report, media, *, attempts, log):
    assert wait_for(lambda: Report.objects.get(pk=report.pk).status == Report.Status.SUCCEEDED,
                    timeout=150), log()
    report.refresh_from_db()
    assert report.attempts == attempts, log()
    assert report.progress == 100 and report.error == ""
    html = (media / report.html_file.name).read_text()
    assert html.rstrip().endswith("</html>") and "Attendance rate" in html
    pdf = PdfReader(BytesIO((media / report.pdf_file.name).read_bytes()))
    assert len(pdf.pages) >= 1 and "Attendance rate" in "".join(
        page.extract_text() for page in pdf.pages)
    sheet = load_workbook(media / report.xlsx_file.name, read_only=True)["Indicators"]
    keys = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert keys == [row["key"] for row in report.snapshot["indicators"]]
    # The killed run never wrote a file; no other run left one behind.
    folder = media / "reports" / str(report.pk)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        Path(f.name).name for f in (report.html_file, report.pdf_file, report.xlsx_file))


def test_a_killed_pool_child_is_requeued_and_the_report_succeeds_once(queue, workers, report,
                                                                      tmp_path):
    worker = workers(queue, visibility_timeout=60)
    report_compile_task.apply_async((report.pk,), queue=queue)
    assert wait_for(running_past(report, 10), timeout=20), worker.text()
    began = time.monotonic()

    worker.kill_pool_child()

    assert_succeeded_once_with_complete_files(report, tmp_path / "media", attempts=2,
                                              log=worker.text)
    assert "WorkerLostError" in worker.text()
    # Requeued at once; the new run waited for the dead one's heartbeat to go stale.
    print(f"killed child: succeeded {time.monotonic() - began:.1f} s after the kill")


def test_a_killed_worker_is_taken_over_by_another_after_the_visibility_timeout(
        queue, workers, report, tmp_path):
    first = workers(queue, visibility_timeout=10)
    report_compile_task.apply_async((report.pk,), queue=queue)
    assert wait_for(running_past(report, 10), timeout=20), first.text()
    began = time.monotonic()

    first.kill_group()
    second = workers(queue, visibility_timeout=10)

    assert_succeeded_once_with_complete_files(report, tmp_path / "media", attempts=2,
                                              log=second.text)
    print(f"killed worker: succeeded {time.monotonic() - began:.1f} s after the kill")


def test_a_job_delivered_again_while_it_runs_leaves_the_running_report_alone(
        queue, workers, report, tmp_path):
    # The compile (over 15 s) outlives the visibility timeout (8 s): Redis hands the job to
    # the worker's second process while the first still runs it. (The timeout stays above
    # the retry's countdown, REPORT_STALE_SECONDS, so that the retries are not doubled too.)
    # Its PDF step alone (8 s) is longer than REPORT_STALE_SECONDS (5 s): the run must still
    # show life then, or a redelivery takes it over, and the next takes that one over...
    worker = workers(queue, visibility_timeout=8, concurrency=2, pause=0.2, pdf_pause=8)
    task = report_compile_task.apply_async((report.pk,), queue=queue)

    assert_succeeded_once_with_complete_files(report, tmp_path / "media", attempts=1,
                                              log=worker.text)
    received = worker.text().count(f"[{task.id}] received")
    assert received >= 2, worker.text()
