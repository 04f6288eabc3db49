"""Which scheduled reports are owed, from the calendar alone (so a missed run catches up)."""

from datetime import date, timedelta

from coalitions.models import Program

from . import services
from .models import Report


def quarters_ended(program, today):
    """Calendar quarters of the program's period that have ended by ``today``, each clipped
    to the program's period."""
    start = date(program.start_date.year, 3 * ((program.start_date.month - 1) // 3) + 1, 1)
    while start <= program.end_date:
        month = start.month + 3
        next_start = date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        end = next_start - timedelta(days=1)
        if end >= today:
            break
        yield max(start, program.start_date), min(end, program.end_date)
        start = next_start


def reports_due_request(*, today):
    asked = 0
    for program in Program.objects.filter(start_date__lte=today):
        owed = [(Report.Kind.PROCESS, s, e) for s, e in quarters_ended(program, today)]
        if program.end_date < today:
            owed.append((Report.Kind.FORMAL, program.start_date, program.end_date))
        for kind, start, end in owed:
            exists = Report.objects.filter(program=program, kind=kind, period_start=start,
                                           period_end=end, coalition=None,
                                           scheduled=True).exists()
            if not exists:
                services.report_request(program=program, kind=kind, period_start=start,
                                        period_end=end, actor=None, scheduled=True,
                                        allow_early_formal=True)
                asked += 1
    return asked
