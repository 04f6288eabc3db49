"""``python -m bench reports``: how long the formal analysis takes to compile, at two scales.

For each scale (``--scales 0.1,1``) it fills the database (``DATABASE_URL``, PostgreSQL) with
a synthetic program (``manage.py generate_synthetic``; a program already made by an earlier
run, code ``bench-<scale>``, is reused), then compiles that program's formal end-of-program
analysis in a fresh process, step by step as the Celery job does, and prints the wall time of
each step (indicators, charts, HTML, PDF, XLSX), the ratio between the scales, and the
compiling process's peak memory (``getrusage`` maxrss). Goals: the largest scale under 20 s,
growth no worse than linear, peak memory under 500 MB. Exit 1 with ``--check`` when missed.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
STEPS = ("indicators", "charts", "html", "pdf", "xlsx")
GOAL_SECONDS, GOAL_MB = 20, 500


def program_code(scale):
    return f"bench-{scale:g}".replace(".", "_")


def compile_once(code):
    """In this process: compile the program's formal analysis; print the timings as JSON."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.storage import default_storage

    from coalitions.models import Program
    from evaluation import compile, indicators
    from evaluation.models import Report

    slowest = {}
    compute = indicators.compute

    def timed_compute(indicator, scope):
        began = time.perf_counter()
        try:
            return compute(indicator, scope)
        finally:
            slowest[indicator.key] = slowest.get(indicator.key, 0) + time.perf_counter() - began

    indicators.compute = timed_compute
    program = Program.objects.get(code=code)
    report = Report.objects.create(program=program, kind=Report.Kind.FORMAL,
                                   period_start=program.start_date,
                                   period_end=program.end_date)
    times, cpu, began, began_cpu = {}, {}, time.perf_counter(), time.process_time()

    def lap(step):
        nonlocal began, began_cpu
        now, now_cpu = time.perf_counter(), time.process_time()
        times[step], cpu[step] = now - began, now_cpu - began_cpu
        began, began_cpu = now, now_cpu

    snapshot = compile.snapshot_build(report)
    lap("indicators")
    snapshot["charts"] = {row["key"]: compile.chart_svg(row) for row in snapshot["indicators"]}
    lap("charts")
    html = compile.html_render(snapshot)
    lap("html")
    pdf = compile.pdf_render(compile.html_render(snapshot, for_pdf=True))
    lap("pdf")
    xlsx = compile.xlsx_render(snapshot)
    lap("xlsx")
    files = compile.files_store(report, {"html_file": ("html", html.encode()),
                                         "pdf_file": ("pdf", pdf), "xlsx_file": ("xlsx", xlsx)})
    for name in files.values():  # the benchmark keeps no files
        default_storage.delete(name)
    report.delete()
    assert settings.USING_POSTGRES
    top = sorted(slowest.items(), key=lambda item: -item[1])[:5]
    print(json.dumps({"times": times, "cpu": cpu, "slowest": top, "maxrss_mb": resource.getrusage(
        resource.RUSAGE_SELF).ru_maxrss / 1024}))


def ensure_program(scale):
    import django

    django.setup()
    from django.core.management import call_command

    from coalitions.models import Program

    code = program_code(scale)
    call_command("migrate", verbosity=0, interactive=False)  # a new database has no tables
    if Program.objects.filter(code=code).exists():
        print(f"Scale {scale:g}: reusing program {code}", flush=True)
        return
    from measures.models import Measure

    if not Measure.objects.exists():
        call_command("load_catalog")
    began = time.monotonic()
    print(f"Scale {scale:g}: generating program {code}", flush=True)
    # In a process of its own: a child inherits its parent's peak memory (Linux keeps
    # ru_maxrss across fork and exec), so a compile started from a process that had just
    # generated a million rows would report that process's peak, not its own.
    subprocess.run([sys.executable, "manage.py", "generate_synthetic", f"--scale={scale:g}",
                    f"--code={code}"], cwd=BASE_DIR, check=True)
    print(f"  generated in {time.monotonic() - began:.0f} s", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench reports",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default="0.1,1", help="two or more scales (0.1,1)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument("--compile", metavar="CODE", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(BASE_DIR))
    if options.compile:
        compile_once(options.compile)
        return 0
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("python -m bench reports needs DATABASE_URL=postgres://... "
                         "(a database of its own: it adds synthetic programs to it)")
    scales = [float(s) for s in options.scales.split(",")]
    results = {}
    for scale in scales:
        ensure_program(scale)
        done = subprocess.run([sys.executable, "-m", "bench", "reports", "--compile",
                               program_code(scale)], cwd=BASE_DIR, check=True,
                              capture_output=True, text=True)
        results[scale] = json.loads(done.stdout.strip().splitlines()[-1])

    print("\nFormal analysis, seconds per step:")
    print(f"  {'scale':>6} " + " ".join(f"{s:>10}" for s in (*STEPS, "total")) + "   peak MB")
    for scale, result in results.items():
        times = result["times"]
        print(f"  {scale:>6g} " + " ".join(f"{times[s]:>10.2f}" for s in STEPS)
              + f" {sum(times.values()):>10.2f}   {result['maxrss_mb']:7.0f}")
    print("Of which this process's CPU (the rest: waiting for PostgreSQL, or for the CPU):")
    for scale, result in results.items():
        print(f"  {scale:>6g} " + " ".join(f"{result['cpu'][s]:>10.2f}" for s in STEPS))
    for scale, result in results.items():
        print(f"Slowest indicators at {scale:g} (current and baseline): " + ", ".join(
            f"{key} {seconds:.2f} s" for key, seconds in result["slowest"]))
    low, high = scales[0], scales[-1]
    print(f"\nRatio {high:g}/{low:g} (data grew {high / low:g}x):")
    for step in (*STEPS, "total"):
        def seconds(scale, step=step):
            times = results[scale]["times"]
            return sum(times.values()) if step == "total" else times[step]
        print(f"  {step:>10}: {seconds(high) / max(seconds(low), 1e-9):6.2f}x")
    total = sum(results[high]["times"].values())
    memory = max(r["maxrss_mb"] for r in results.values())
    growth = (total / max(sum(results[low]["times"].values()), 1e-9)) / (high / low)
    verdicts = {
        f"scale {high:g} under {GOAL_SECONDS} s": total < GOAL_SECONDS,
        "growth no worse than linear": growth <= 1,
        f"peak memory under {GOAL_MB} MB": memory < GOAL_MB,
    }
    for goal, met in verdicts.items():
        print(f"Goal: {goal}: {'met' if met else 'MISSED'}")
    return 1 if options.check and not all(verdicts.values()) else 0
