"""Reading a web conference's participant report: Zoom, Microsoft Teams, or any CSV.

Pure functions, no database: ``read_report`` decodes the file (a byte-order mark, UTF-16 and
old Windows encodings are all met in the wild), finds the participants' header row, and
returns each person with the stretches they were present. A person who dropped and
rejoined appears on several rows; ``minutes_present`` takes the union of their stretches
within the scheduled session, so overlaps are never counted twice.
"""

import csv
import io
import re
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# Header names, lower-cased, each report writes for the fields we need.
ZOOM = {
    "name": ("name (original name)", "name (original name)", "name"),
    "email": ("user email", "email", "attendee email"),
    "join": ("join time",),
    "leave": ("leave time",),
    "duration": ("duration (minutes)", "duration (mins)", "time in session (minutes)"),
}
TEAMS_ACTIVITY = {
    "name": ("name", "full name"),
    "email": ("email", "participant id (upn)"),
    "join": ("join time",),
    "leave": ("leave time",),
    "duration": ("duration",),
}
TEAMS_PARTICIPANTS = {
    "name": ("name", "full name"),
    "email": ("email", "participant id (upn)"),
    "join": ("first join", "join time"),
    "leave": ("last leave", "leave time"),
    "duration": ("in-meeting duration", "attendance duration", "duration"),
}
FIELDS = ("name", "email", "join", "leave", "duration")

DATE_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
    "%m/%d/%Y, %I:%M:%S %p", "%m/%d/%y, %I:%M:%S %p", "%m/%d/%y %I:%M:%S %p",
    "%m/%d/%y, %I:%M %p", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M:%S",
)


# The largest participant report taken: a day-long Zoom meeting with a thousand people who
# each reconnect a few times is well under 1 MB.
MAX_REPORT_BYTES = 5 * 1024 * 1024


def too_large_message(size):
    return (f"This file is {size / 1024 / 1024:.1f} MB; the largest participant report we "
            f"take is {MAX_REPORT_BYTES // 1024 // 1024} MB.")


class ReportError(ValueError):
    """The file cannot be read as a participant report; the message says why."""


@dataclass
class Attendee:
    name: str
    email: str
    intervals: list = field(default_factory=list)  # [(joined, left)], aware datetimes

    @property
    def key(self):
        return self.email.lower() or self.name.lower()


@dataclass
class Report:
    source: str  # "zoom", "teams" or "csv"
    header: list
    mapping: dict  # field -> column index
    attendees: list
    skipped: list  # (row number, why)


def decode(raw):
    """Bytes to text: honour a byte-order mark, recognise UTF-16 without one, else UTF-8,
    else Windows-1252 (which decodes anything)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if raw[:200].count(b"\x00") > 20:  # UTF-16 without a mark: every other byte is NUL
        return raw.decode("utf-16-le" if raw[1:2] == b"\x00" else "utf-16-be")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def rows_of(text):
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text),
                                                                  delimiter=delimiter)]


def _find(header, names):
    lowered = [cell.strip().lower() for cell in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def _mapping(header, known):
    return {name: _find(header, known[name]) for name in FIELDS}


def detect(rows):
    """Find the participants' header: ``(source, header row index, mapping)`` or None."""
    teams_participants = None
    for index, row in enumerate(rows):
        lowered = {cell.lower() for cell in row}
        if {"join time", "leave time"} <= lowered and (
            "user email" in lowered or "name (original name)" in lowered
        ):
            return "zoom", index, _mapping(row, ZOOM)
        if {"join time", "leave time"} <= lowered and "email" in lowered \
                and "role" in lowered:
            return "teams", index, _mapping(row, TEAMS_ACTIVITY)
        if {"first join", "last leave"} <= lowered and teams_participants is None:
            teams_participants = ("teams", index, _mapping(row, TEAMS_PARTICIPANTS))
        if {"join time", "leave time"} <= lowered:
            return "zoom", index, _mapping(row, ZOOM)
    return teams_participants


def parse_moment(value, zone):
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
        for pattern in DATE_FORMATS:
            try:
                moment = datetime.strptime(value, pattern)
                break
            except ValueError:
                continue
        if moment is None:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


_HMS = re.compile(r"^(?:(\d+)h)?\s*(?:(\d+)m(?:in)?)?\s*(?:(\d+)s)?$")


def parse_minutes(value):
    """``65``, ``65.5``, ``1h 5m 3s``, ``45m 10s`` or ``01:05:03`` as minutes, else None."""
    value = (value or "").strip().lower()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    if re.fullmatch(r"\d+:\d{2}(:\d{2})?", value):
        parts = [int(p) for p in value.split(":")]
        hours, minutes, seconds = parts if len(parts) == 3 else (0, *parts)
        return hours * 60 + minutes + seconds / 60
    match = _HMS.match(value)
    if match and any(match.groups()):
        hours, minutes, seconds = (int(g or 0) for g in match.groups())
        return hours * 60 + minutes + seconds / 60
    return None


def _section_ends(row):
    return not any(row) or bool(re.match(r"^\d+\.\s", row[0] if row else ""))


def read_report(raw, *, zone, mapping=None, source=None):
    """Read a participant report. With ``mapping`` (staff's column choice for a CSV we do not
    recognise: field -> column index) the first row is the header."""
    rows = rows_of(decode(raw))
    if mapping is None:
        found = detect(rows)
        if found is None:
            raise ReportError(
                "We could not recognise this file as a Zoom or Teams participant report. "
                "Choose its columns below."
            )
        source, start, mapping = found
        mapping = {**mapping, "header": start}
    else:
        # A recognised report read again keeps its header row; a mapped CSV starts with it.
        start, source = mapping.get("header", 0), source or "csv"
    if mapping.get("email") is None and mapping.get("name") is None:
        raise ReportError("The file has no column we recognise as an e-mail address or a name.")
    if mapping.get("email") is None:
        raise ReportError("The file has no column we recognise as an e-mail address: choose "
                          "which column holds it.")
    if mapping.get("join") is None:
        raise ReportError("The file has no join-time column: choose which column holds it.")
    header = rows[start]
    # Teams' participant summary gives first join, last leave and the time actually present
    # in between: the time present is what counts.
    summary = source == "teams" and header[mapping["join"]].strip().lower() == "first join"
    people = {}
    skipped = []
    for number, row in enumerate(rows[start + 1:], start=start + 2):
        if _section_ends(row):
            break

        def cell(name, row=row):
            index = mapping.get(name)
            return row[index] if index is not None and index < len(row) else ""

        joined = parse_moment(cell("join"), zone)
        left = parse_moment(cell("leave"), zone)
        minutes = parse_minutes(cell("duration"))
        if joined is None:
            skipped.append((number, f"no join time we can read ({cell('join')!r})"))
            continue
        if minutes is not None and (left is None or summary):
            left = joined + timedelta(minutes=minutes)
        if left is None or left < joined:
            skipped.append((number, "no leave time or duration we can read"))
            continue
        name, email = cell("name"), cell("email").strip()
        attendee = Attendee(name=name, email=email)
        attendee = people.setdefault(attendee.key, attendee)
        attendee.intervals.append((joined, left))
    return Report(source=source, header=header, mapping=mapping,
                  attendees=list(people.values()), skipped=skipped)


def table_of(raw):
    """``(text, rows)`` of an uploaded file, or ReportError when it is not a readable table."""
    if raw.startswith(b"PK\x03\x04"):
        raise ReportError("This looks like an Excel workbook: save it as CSV and upload that.")
    text = decode(raw)
    if "\x00" in text:
        raise ReportError("This is not a text file: upload the report as CSV.")
    try:
        rows = rows_of(text)
    except csv.Error as error:
        raise ReportError(f"This file cannot be read as CSV ({error}).") from error
    if sum(1 for row in rows if any(row)) < 2:
        raise ReportError("This file holds no participants: it needs a header row and at "
                          "least one row under it.")
    return text, rows


def zone_of(record):
    """The time zone a kept report's times are read in: staff's choice, else the event's."""
    return zoneinfo.ZoneInfo(record.mapping.get("zone") or record.event.timezone)


def read_record(record):
    """Read a kept report (``AttendanceImport``) with its columns and time zone."""
    if not record.mapping:
        raise ReportError("We could not recognise this file as a Zoom or Teams participant "
                          "report. Choose its columns below.")
    return read_report(record.text.encode("utf-8"), zone=zone_of(record),
                       mapping=record.mapping, source=record.source)


def union_minutes(intervals, start, end):
    """Minutes covered by the union of ``intervals`` from ``start`` to ``end``."""
    clipped = sorted((max(a, start), min(b, end)) for a, b in intervals if b > start and a < end)
    total = timedelta()
    current = None
    for a, b in clipped:
        if current is None or a > current[1]:
            if current:
                total += current[1] - current[0]
            current = [a, b]
        else:
            current[1] = max(current[1], b)
    if current:
        total += current[1] - current[0]
    return total.total_seconds() / 60
