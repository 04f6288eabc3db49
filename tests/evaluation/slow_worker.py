"""A Celery worker whose report compiles are slow enough to kill in the middle (tests only).

``python -m tests.evaluation.slow_worker -Q QUEUE --concurrency 1`` runs ``celery worker``
with the portal's settings, after test-only changes made here rather than in the portal's
code: each indicator's computation first sleeps ``TEST_INDICATOR_PAUSE`` seconds (the
compile still records progress after each indicator), and the PDF ``TEST_PDF_PAUSE``
seconds (one long step, as a large report's PDF, with no progress recorded); files go to
``TEST_MEDIA_ROOT``; and kombu looks for unacknowledged jobs older than the visibility
timeout every 2 seconds instead of about every 100 (``unacked_restore_interval`` 10 s times
``unacked_restore_throttle`` 10), so that a test need not wait for its sweep. The pool's
children are forked from this process, so they inherit all of it.
"""

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402

from config.celery import app  # noqa: E402
from evaluation import compile, indicators  # noqa: E402

settings.MEDIA_ROOT = os.environ["TEST_MEDIA_ROOT"]
PAUSE = float(os.environ.get("TEST_INDICATOR_PAUSE", "0.1"))
PDF_PAUSE = float(os.environ.get("TEST_PDF_PAUSE", "0"))
_compute, _pdf_render = indicators.compute, compile.pdf_render


def slow_compute(indicator, scope):
    time.sleep(PAUSE)
    return _compute(indicator, scope)


def slow_pdf_render(html):
    time.sleep(PDF_PAUSE)
    return _pdf_render(html)


indicators.compute, compile.pdf_render = slow_compute, slow_pdf_render
app.conf.broker_transport_options = {**app.conf.broker_transport_options,
                                     "unacked_restore_interval": 2,
                                     "unacked_restore_throttle": 1}

if __name__ == "__main__":
    app.worker_main(["worker", "--pool", "prefork", "--without-gossip", "--without-mingle",
                     "--without-heartbeat", "--loglevel", "INFO", *sys.argv[1:]])
