"""Spreadsheet exports of the technical-assistance log: CSV streamed, XLSX written row by row.

A cell that a spreadsheet would read as a formula (it starts with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return) is written with a leading apostrophe, so an export never runs
what someone typed into a summary.
"""

import csv
import tempfile

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

ASSISTANCE_HEADERS = [
    "Date", "Kind", "Program", "Hours", "Staff member", "Coalitions served", "Learning network",
    "Topics", "Summary", "Open follow-ups",
]


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def assistance_table(entries):
    """One row per entry; only the coalitions the reader may see are named."""
    for entry in entries:
        names = [coalition.name for coalition in entry.visible_coalitions]
        hidden = entry.coalition_count - len(names)
        if hidden > 0:
            names.append(f"and {hidden} other coalition{'s' if hidden > 1 else ''}")
        yield [
            entry.date,
            entry.get_kind_display(),
            entry.program.name,
            entry.hours,
            entry.staff_member.get_full_name(),
            "; ".join(names),
            entry.network.name if entry.network else "",
            entry.topics,
            entry.summary,
            entry.open_follow_ups,
        ]


class _Echo:
    def write(self, value):
        return value


def csv_response(filename, headers, rows):
    """A CSV download produced as it is sent, a row at a time."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # so spreadsheet programs read UTF-8
        yield writer.writerow(headers)
        for row in rows:
            yield writer.writerow([neutralise(str(cell)) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(filename, headers, rows, *, sheet="Technical assistance"):
    """An XLSX download written by openpyxl's write-only workbook (rows go to disk as they
    come, not into memory), then sent from that file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet)
    sheet.append(headers)
    for row in rows:
        sheet.append([neutralise(cell) for cell in row])
    spool = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
