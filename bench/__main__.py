"""``make bench``: how fast the measure API answers, against a bare Django view, in one run.

(``python -m bench reports``, ``make bench-reports``: the evaluation's reports instead; see
``bench/reports.py``.)

1. A throwaway database (SQLite under ``var/bench/``, or ``DATABASE_URL`` if set), migrated,
   with the catalog loaded and padded with synthetic measures to 500 (removed again at the
   end from a ``DATABASE_URL`` database).
2. Two gunicorns on 127.0.0.1 (free ports), with ``bench.settings``: the portal plus the bare
   view ``/bench/measures/``; one with the API's response cache off, one with it on.
3. A load client (threads, ``http.client``, keep-alive, a fixed time per scenario, taken in
   short rounds that alternate the scenarios) measures requests per second for:

   a. ``GET /api/v1/measures/?page_size=100``, computed afresh (server cache off);
   b. the bare view: the same 100 rows from ``.values()`` through the same JSON encoder;
   c. (a) with ``If-None-Match`` of its ETag: 304;
   d. (a) repeated, answered from the response cache (server cache on).

It prints each rate and a/b, c/b, d/b against the goals, stops gunicorn and exits: 0, or 1
when a response was wrong (or, with ``--check``, when a goal was missed). Only loopback.
"""

import argparse
import http.client
import io
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SETTINGS = "bench.settings"
API_PATH = "/api/v1/measures/?page_size=100"
BARE_PATH = "/bench/measures/"
TARGET_MEASURES = 500
SYNTHETIC_SET = "BENCH"
GOALS = {"a/b": 0.75, "c/b": 2.5, "d/b": 2.5}


# --- the database ------------------------------------------------------------------------------


def prepare_database():
    """Migrate, load the catalog, pad it to TARGET_MEASURES; returns the measure count."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if not settings.DATABASE_URL:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{settings.BENCH_DATABASE}{suffix}").unlink(missing_ok=True)
        settings.BENCH_DATABASE.parent.mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_catalog", stdout=io.StringIO())
    return pad_catalog()


def pad_catalog():
    from django.utils.text import slugify

    from measures.models import Measure, MeasureSet
    from measures.services import catalog_changed

    missing = TARGET_MEASURES - Measure.objects.count()
    if missing > 0:
        synthetic_set, _ = MeasureSet.objects.get_or_create(
            code=SYNTHETIC_SET, defaults={"name": "Synthetic measures (benchmark only)"}
        )
        types = [choice for choice, _ in Measure.Type.choices]
        levels = [choice for choice, _ in Measure.Level.choices]
        Measure.objects.bulk_create(
            Measure(
                measure_set=synthetic_set,
                code=f"ZZ BENCH {n:04d}",
                slug=slugify(f"ZZ BENCH {n:04d}"),
                title=f"Synthetic measure {n} for the benchmark",
                description="A measure that exists only in the benchmark's database. " * 4,
                steward="Benchmark",
                type=types[n % len(types)],
                level=levels[n % len(levels)],
                domain="Benchmark",
                setting="Inpatient",
                data_source="None",
                improvement_notation="lower",
                status=Measure.Status.CURRENT,
                version="v1",
                source_url="https://www.example.org/bench",
            )
            for n in range(missing)
        )
        catalog_changed()  # a bulk insert moves the catalog's version itself
    return Measure.objects.count()


def remove_synthetic_rows():
    """With a DATABASE_URL of the user's, leave only the catalog behind."""
    from measures.models import Measure, MeasureSet

    Measure.objects.filter(measure_set__code=SYNTHETIC_SET).delete()
    MeasureSet.objects.filter(code=SYNTHETIC_SET).delete()


# --- the server --------------------------------------------------------------------------------


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn on a free loopback port, for one configuration of the API's cache."""

    def __init__(self, *, workers, threads, cache_timeout):
        self.port = free_port()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS,
               "API_CACHE_TIMEOUT": str(cache_timeout)}
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "config.wsgi:application",
                "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(workers), "--worker-class", "gthread",
                "--threads", str(threads), "--keep-alive", "30",
                "--log-level", "warning",
            ],
            cwd=BASE_DIR, env=env,
        )
        self._wait_ready()

    def _wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}")
            try:
                status, _, _ = request_once(self.port, BARE_PATH)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise SystemExit("gunicorn did not answer within 30 seconds")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# --- the load ---------------------------------------------------------------------------------


def request_once(port, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def run_load(port, path, *, headers, expect, seconds, threads, max_requests):
    """``(requests, elapsed seconds)`` of a load of ``seconds`` (at most ``max_requests``),
    each thread on one keep-alive connection. Every answer must have the ``expect``ed
    status."""
    per_thread = max(1, max_requests // threads)
    counts = [0] * threads
    failures = []
    start = threading.Barrier(threads + 1)
    deadline = [0.0]

    def client(index):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        start.wait()
        done = 0
        try:
            while done < per_thread and time.perf_counter() < deadline[0]:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != expect:
                    failures.append(f"{path}: {response.status}, expected {expect}")
                    break
                done += 1
        except (OSError, http.client.HTTPException) as error:
            failures.append(f"{path}: {error!r}")
        finally:
            counts[index] = done
            connection.close()

    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.wait()
    for worker in workers:
        worker.join(timeout=seconds + 30)
    elapsed = time.perf_counter() - began
    if failures:
        raise SystemExit("Wrong answers:\n  " + "\n  ".join(failures[:5]))
    return sum(counts), elapsed


class Scenario:
    def __init__(self, key, label, port, path, *, headers=None, expect=200):
        self.key, self.label, self.port, self.path = key, label, port, path
        self.headers, self.expect = headers or {}, expect
        self.rounds = []  # (requests, seconds) of each measured round

    def run(self, seconds, options):
        return run_load(
            self.port, self.path, headers=self.headers, expect=self.expect, seconds=seconds,
            threads=options.threads, max_requests=options.max_requests,
        )

    @property
    def rate(self):
        return sum(n for n, _ in self.rounds) / sum(t for _, t in self.rounds)

    def round_rate(self, index):
        requests, seconds = self.rounds[index]
        return requests / seconds


def measure_all(scenarios, options):
    """Each scenario in turn, in ``options.rounds`` short rounds, so that a change in the
    machine's load during the run weighs on all of them alike; a ratio is the median of
    its rounds' ratios."""
    for scenario in scenarios:
        scenario.run(options.warmup, options)
    share = options.seconds / options.rounds
    for _ in range(options.rounds):
        for scenario in scenarios:
            scenario.rounds.append(scenario.run(share, options))
    for scenario in scenarios:
        print(f"  ({scenario.key}) {scenario.label:<56} {scenario.rate:8.0f} req/s")
    by_key = {scenario.key: scenario for scenario in scenarios}

    def ratios(top, bottom):
        return sorted(by_key[top].round_rate(i) / by_key[bottom].round_rate(i)
                      for i in range(options.rounds))

    return {name: ratios(*name.split("/")) for name in GOALS}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["registrations"]:  # python -m bench registrations: bench/registrations.py
        from bench.registrations import main as registrations

        return registrations(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="per scenario (6)")
    parser.add_argument("--rounds", type=int, default=6, help="turns of all scenarios (6)")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds before each (1)")
    parser.add_argument("--threads", type=int, default=8,
                        help="client threads, one keep-alive connection each (8)")
    parser.add_argument("--max-requests", type=int, default=200_000,
                        help="cap per scenario (200000)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--server-threads", type=int, default=4,
                        help="threads per gunicorn worker (4; gthread keeps connections open)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    options = parser.parse_args(argv)

    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    sys.path.insert(0, str(BASE_DIR))
    count = prepare_database()
    from django.conf import settings

    database = "DATABASE_URL" if settings.DATABASE_URL else f"{settings.BENCH_DATABASE}"
    print(f"Database: {database}, {count} measures. Cache: "
          f"{settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}. gunicorn: "
          f"{options.workers} workers x {options.server_threads} threads; client: "
          f"{options.threads} threads, {options.seconds:g} s per scenario.", flush=True)
    try:
        with (
            Server(workers=options.workers, threads=options.server_threads,
                   cache_timeout=0) as fresh,
            Server(workers=options.workers, threads=options.server_threads,
                   cache_timeout=300) as cached,
        ):
            _, headers, _ = request_once(fresh.port, API_PATH)
            ratios = measure_all([
                Scenario("a", f"API {API_PATH} (server cache off)", fresh.port, API_PATH),
                Scenario("b", "bare view, the same 100 rows", fresh.port, BARE_PATH),
                Scenario("c", "API with If-None-Match: 304", fresh.port, API_PATH,
                         headers={"If-None-Match": headers["ETag"]}, expect=304),
                Scenario("d", "API repeated, from the response cache", cached.port,
                         API_PATH),
            ], options)
    finally:
        if settings.DATABASE_URL:
            remove_synthetic_rows()
    print(f"Ratios, median of {options.rounds} rounds (lowest-highest), against the goal:")
    missed = []
    for name, goal in GOALS.items():
        rounds = ratios[name]
        ratio = statistics.median(rounds)
        if ratio < goal:
            missed.append(name)
        print(f"  {name} = {ratio:5.2f}  ({rounds[0]:.2f}-{rounds[-1]:.2f})  goal >= {goal}: "
              f"{'met' if ratio >= goal else 'MISSED'}")
    return 1 if options.check and missed else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["reports"]:  # python -m bench reports: the evaluation's reports
        from bench.reports import main as reports_main

        sys.exit(reports_main(sys.argv[2:]))
    sys.exit(main())
