"""Every write of the evaluation: report requests and their runs, targets, findings.

A report runs at least once (Celery delivers at least once) and succeeds exactly once: its
row's state guards the job. ``report_claim`` lets one run in; a redelivered job that finds
the report succeeded does nothing, and one that finds it running under a worker silent for
longer than ``REPORT_STALE_SECONDS`` takes it over. Files are written under new names and
swapped in with the status change, in one transaction, at the end.
"""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from coalitions.models import Enrollment, Program
from core.errors import DomainError
from core.outbox import enqueue_on_commit

from .models import Finding, Report, Target

logger = logging.getLogger(__name__)


class EvaluationError(DomainError):
    """An evaluation rule was broken (a period, a kind the program cannot have yet...)."""


def _check_period(program, start, end, kind, *, allow_early_formal):
    errors = {}
    if start and end and end < start:
        errors["period_end"] = "The period cannot end before it starts."
    if kind == Report.Kind.FORMAL and not allow_early_formal and \
            timezone.localdate() < program.end_date:
        errors["kind"] = (f"The formal end-of-program analysis is due when {program} ends "
                          f"({program.end_date:%B %-d, %Y}). Staff can ask for it early.")
    if errors:
        raise EvaluationError(errors)


def report_request(*, program, kind, period_start, period_end, actor, coalition=None,
                   include_names=False, allow_early_formal=False, scheduled=False):
    """Ask for a report. The same program, kind, period and coalition already queued or
    running is returned rather than asked for twice."""
    if kind not in Report.Kind.values:
        raise EvaluationError({"kind": "Choose a process, outcome or formal report."})
    _check_period(program, period_start, period_end, kind,
                  allow_early_formal=allow_early_formal)
    if coalition is not None and not program.enrollments.filter(
            coalition=coalition, status__in=Enrollment.SEAT_HOLDING_STATUSES).exists():
        raise EvaluationError({"coalition": f"{coalition} is not enrolled in {program}."})
    if include_names and not (actor is not None and actor.is_program_staff):
        raise EvaluationError({"include_names": "Only program staff can ask for the "
                                                "appendix with names."})
    with transaction.atomic():
        Program.objects.select_for_update().get(pk=program.pk)  # one request at a time
        running = Report.objects.filter(
            program=program, kind=kind, period_start=period_start, period_end=period_end,
            coalition=coalition, include_names=include_names,
            status__in=Report.ACTIVE_STATUSES,
        ).first()
        if running is not None:
            return running, False
        report = Report(program=program, kind=kind, period_start=period_start,
                        period_end=period_end, coalition=coalition,
                        include_names=include_names, requested_by=actor, scheduled=scheduled)
        report.full_clean()
        report.save()
        from .tasks import report_compile_task

        enqueue_on_commit(report_compile_task, report.pk)
    return report, True


def report_retry(*, report, actor):
    """Queue a failed report again."""
    with transaction.atomic():
        current = Report.objects.select_for_update().get(pk=report.pk)
        if current.status != Report.Status.FAILED:
            raise EvaluationError("Only a failed report can be retried.")
        current.status, current.progress, current.step, current.error = (
            Report.Status.QUEUED, 0, "", "")
        current.run_token = None
        current.save(update_fields=["status", "progress", "step", "error", "run_token",
                                    "updated_at"])
        from .tasks import report_compile_task

        enqueue_on_commit(report_compile_task, current.pk)
    return current


def report_claim(report_id):
    """Let one run compile the report: its token, or None when the report is done, failed,
    or running under a worker that still shows life."""
    token = uuid.uuid4()
    stale = timezone.now() - timedelta(seconds=settings.REPORT_STALE_SECONDS)
    won = Report.objects.filter(pk=report_id).filter(
        Q(status=Report.Status.QUEUED)
        | Q(status=Report.Status.RUNNING, heartbeat_at__lt=stale)
        | Q(status=Report.Status.RUNNING, heartbeat_at__isnull=True)
    ).update(status=Report.Status.RUNNING, run_token=token, heartbeat_at=timezone.now(),
             started_at=timezone.now(), attempts=F("attempts") + 1, error="")
    return token if won else None


def report_progress(report_id, token, percent, step):
    """Record progress (and life); False when another run has taken the report over."""
    return bool(Report.objects.filter(pk=report_id, run_token=token,
                                      status=Report.Status.RUNNING)
                .update(progress=percent, step=step, heartbeat_at=timezone.now()))


def report_heartbeat(report_id, token):
    """Record that the run still lives; False when another run has taken the report over."""
    return bool(Report.objects.filter(pk=report_id, run_token=token,
                                      status=Report.Status.RUNNING)
                .update(heartbeat_at=timezone.now()))


def report_finish(report_id, token, *, snapshot, files):
    """Swap in the new files and mark the report succeeded, if this run still holds it.
    The files of an earlier, lost run are deleted."""
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(
            pk=report_id, run_token=token, status=Report.Status.RUNNING).first()
        if report is None:
            return False
        old = [getattr(report, name) for name in ("html_file", "pdf_file", "xlsx_file")]
        old = [f.name for f in old if f]
        report.snapshot = snapshot
        for name, stored in files.items():
            setattr(report, name, stored)
        report.status, report.progress, report.step = Report.Status.SUCCEEDED, 100, "Done"
        report.finished_at = timezone.now()
        report.save()
        transaction.on_commit(lambda: _delete_files(old, keep=set(files.values())))
    return True


def _delete_files(names, *, keep):
    from django.core.files.storage import default_storage

    for name in names:
        if name not in keep:
            default_storage.delete(name)


def report_fail(report_id, token, reason):
    Report.objects.filter(pk=report_id, run_token=token).update(
        status=Report.Status.FAILED, error=reason[:2000], finished_at=timezone.now())


def report_share(*, report, shared, actor):
    """Share a report about one coalition with that coalition's lead (staff only), or stop."""
    if not actor.is_program_staff:
        raise EvaluationError("Only program staff can share a report with a coalition.")
    if report.coalition_id is None:
        raise EvaluationError("Only a report about one coalition can be shared with it.")
    report.shared_with_coalition = bool(shared)
    report.save(update_fields=["shared_with_coalition", "updated_at"])
    return report


# --- targets and findings -------------------------------------------------------------------


def target_set(*, program, indicator, period_start, period_end, value, actor):
    """Set what staff aim for on one indicator over one period (setting it again changes
    the value; the same value changes nothing)."""
    if not actor.is_program_staff:
        raise EvaluationError("Only program staff set targets.")
    from .indicators import REGISTRY

    if indicator not in REGISTRY:
        raise EvaluationError({"indicator": "Choose an indicator."})
    if period_start and period_end and period_end < period_start:
        raise EvaluationError({"period_end": "The period cannot end before it starts."})
    target, _ = Target.objects.get_or_create(
        program=program, indicator=indicator, period_start=period_start,
        period_end=period_end, defaults={"value": value, "set_by": actor},
    )
    if target.value != value:
        target.value, target.set_by = value, actor
        target.full_clean()
        target.save(update_fields=["value", "set_by", "updated_at"])
    return target


def _check_owner(owner):
    if owner is not None and not owner.can_view_program_data:
        raise EvaluationError({"owner": "The owner must be a program staff member or an "
                                        "evaluator."})


def finding_create(*, report, actor, **fields):
    """Record a finding on a report and the course correction decided on it."""
    _check_owner(fields.get("owner"))
    finding = Finding(report=report, recorded_by=actor, **fields)
    finding.full_clean()
    finding.save()
    return finding


def finding_update(record, /, *, actor, **fields):
    """Change a finding (its text is the field ``finding``, hence the positional record);
    a save that changes nothing writes nothing."""
    if "owner" in fields:
        _check_owner(fields["owner"])
    changed = [name for name, value in fields.items() if getattr(record, name) != value]
    for name in changed:
        setattr(record, name, fields[name])
    if changed:
        record.full_clean()
        record.save(update_fields=[*changed, "updated_at"])
    return record
