"""How much of each measure set the catalog file documents: for the current measures, the
share with a numerator, a denominator, a type and an improvement notation, and the share of
those values that carry their own source (a fact in the file). Read from the catalog file,
so an older file gives the "before" figures."""

import json
from collections import defaultdict
from dataclasses import dataclass, field

FACTS = ("numerator", "denominator", "type", "improvement_notation")


@dataclass
class SetCoverage:
    code: str
    current: int = 0
    filled: dict = field(default_factory=lambda: dict.fromkeys(FACTS, 0))
    sourced: dict = field(default_factory=lambda: dict.fromkeys(FACTS, 0))
    missing: dict = field(default_factory=lambda: defaultdict(list))


def catalog_coverage(lines):
    """{set code: SetCoverage} over the current measures of a JSON Lines catalog."""
    coverage = {}
    for raw in lines:
        if not raw.strip():
            continue
        record = json.loads(raw)
        if record.get("record") != "measure" or record.get("status") != "current":
            continue
        row = coverage.setdefault(record["set"], SetCoverage(record["set"]))
        row.current += 1
        sourced = {fact["name"] for fact in record.get("facts") or []}
        for name in FACTS:
            if record.get(name):
                row.filled[name] += 1
                if name in sourced:
                    row.sourced[name] += 1
            else:
                row.missing[name].append(record["code"])
    return dict(sorted(coverage.items()))


def _percent(part, whole):
    return f"{round(100 * part / whole)} %" if whole else "-"


def coverage_table(coverage):
    """A Markdown table: per set, each fact as "filled % (sourced %)"."""
    header = "| Set | Current | " + " | ".join(FACTS) + " |"
    lines = [header, "|" + " --- |" * (len(FACTS) + 2)]
    totals = SetCoverage("All")
    for row in coverage.values():
        totals.current += row.current
        cells = []
        for name in FACTS:
            totals.filled[name] += row.filled[name]
            totals.sourced[name] += row.sourced[name]
            cells.append(f"{_percent(row.filled[name], row.current)} "
                         f"({_percent(row.sourced[name], row.current)} sourced)")
        lines.append(f"| {row.code} | {row.current} | " + " | ".join(cells) + " |")
    cells = [f"{_percent(totals.filled[n], totals.current)} "
             f"({_percent(totals.sourced[n], totals.current)} sourced)" for n in FACTS]
    lines.append(f"| All | {totals.current} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
