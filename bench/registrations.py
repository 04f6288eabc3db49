"""``make bench-registrations``: 200 people register at once for one 50-seat event through the
API, against a bare Django view that inserts one row per request, in the same run.

1. PostgreSQL only (``DATABASE_URL``): the event's lock (an advisory lock, ``_lock_event``
   with a lock timeout) is what is measured, and SQLite has no such lock. The database is
   migrated; a program, a coalition and a staff user with an API token are made.
2. One gunicorn on a free loopback port with ``bench.settings`` (the portal, the bare view
   ``/bench/signups/``, and throttle rates no run can reach: the throttles still count).
3. Each round: a new published 50-seat event with a waiting list; 200 client threads, each
   on its own connection, wait at a barrier, then each POSTs a different person to
   ``/api/v1/events/{id}/registrations/`` once; then the same 200 POSTs to the bare view
   (the order of the two alternates between rounds). A rate is the requests over the time
   from the barrier to the last answer.

It prints both rates, their ratio (median of the rounds), the 5xx count and each event's
final counts, then exits 0, or 1 if an answer was an error or a count is wrong (or, with
``--check``, if the ratio misses the goal). Only loopback; at most ``--rounds`` x 400
requests, each with a timeout.
"""

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
import uuid

from .__main__ import BASE_DIR, SETTINGS, Server

CLIENTS = 200
SEATS = 50
GOAL = 0.5
READY_PATH = "/bench/measures/"


def prepare():
    """Migrate, and make a program, a coalition and a staff token. Returns ``(raw token,
    program id, coalition id, staff user id)``."""
    import django

    django.setup()
    from django.conf import settings

    if not settings.USING_POSTGRES:
        raise SystemExit(
            "The registration benchmark needs PostgreSQL: set DATABASE_URL, e.g. "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench (createdb bench first). "
            "It measures the event's lock, which SQLite does not have."
        )
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from accounts.models import ApiToken, User
    from accounts.roles import PROGRAM_STAFF
    from coalitions.models import Coalition, Program

    call_command("migrate", verbosity=0, interactive=False, run_syncdb=True)
    staff, _ = User.objects.get_or_create(
        email="bench-staff@bench.invalid", defaults={"full_name": "Benchmark staff"}
    )
    staff.groups.add(Group.objects.get(name=PROGRAM_STAFF))
    program, _ = Program.objects.get_or_create(
        code="bench", defaults={"name": "Benchmark program", "start_date": "2026-01-01",
                                "end_date": "2030-12-31"},
    )
    coalition, _ = Coalition.objects.get_or_create(
        name="Benchmark coalition", defaults={"kind": Coalition.Kind.PURCHASER, "states": "MD"}
    )
    _, raw = ApiToken.objects.issue(user=staff, name="bench")
    return raw, program, coalition, staff


def new_event(program, staff, round_number):
    from datetime import timedelta

    from django.utils import timezone

    from workshops import services

    start = timezone.now() + timedelta(days=30)
    return services.event_create(
        actor=staff, program=program, kind="web_conference",
        title=f"Benchmark web conference, round {round_number}", start=start,
        end=start + timedelta(hours=2), capacity=SEATS, waiting_list=True, status="published",
    )


def event_counts(event):
    from django.db.models import Count

    return dict(event.registrations.values_list("status").annotate(n=Count("pk")).order_by())


def fire(port, path, bodies, *, headers, timeout):
    """POST each body at once from its own thread and connection; returns
    ``(elapsed seconds, [status per request])`` (0 for a request that failed to connect)."""
    statuses = [0] * len(bodies)
    barrier = threading.Barrier(len(bodies) + 1)
    headers = {"Content-Type": "application/json", **headers}

    def client(index):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            connection.connect()
            barrier.wait(timeout=timeout)
            connection.request("POST", path, body=json.dumps(bodies[index]), headers=headers)
            response = connection.getresponse()
            response.read()
            statuses[index] = response.status
        except (OSError, http.client.HTTPException, threading.BrokenBarrierError):
            statuses[index] = 0
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True)
               for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=timeout)
    began = time.perf_counter()
    for thread in threads:
        thread.join(timeout=timeout)
    return time.perf_counter() - began, statuses


# The three series of a round: the registrations API; its floor, a view with the API's
# authentication, throttle and JSON that writes nothing (``bench.views.SignupFloor``); the
# bare view that inserts one row (``bench.views.signup_bare``).
RUNS = ["api", "floor", "bare"]


def paths(name, event, token):
    bearer = {"Authorization": f"Bearer {token}"}
    return {
        "api": (f"/api/v1/events/{event.pk}/registrations/", bearer),
        "floor": ("/bench/signups/floor/", bearer),
        "bare": ("/bench/signups/", {}),
    }[name]


def people_for(coalition, count):
    tag = uuid.uuid4().hex[:8]
    return [{"email": f"person{n}.{tag}@bench.invalid", "name": f"Person {n}",
             "coalition": coalition.pk} for n in range(count)]


def warm_up(port, program, staff, coalition, token, timeout):
    """Send each series a few requests on an event of its own first, so that no round pays
    for a worker's first request (its imports and caches)."""
    event = new_event(program, staff, 0)
    people = people_for(coalition, 32)
    for name in RUNS:
        path, headers = paths(name, event, token)
        fire(port, path, people, headers=headers, timeout=timeout)
    from .models import BareSignup

    BareSignup.objects.all().delete()


def cleanup(program, coalition, staff):
    """Leave the database as it was before the run (bar the history tables)."""
    from accounts.models import ApiToken
    from workshops.models import Event, Notice, Registration

    from .models import BareSignup

    events = Event.objects.filter(program=program)
    Notice.objects.filter(registration__event__in=events).delete()
    Registration.objects.filter(event__in=events).delete()
    events.delete()
    BareSignup.objects.all().delete()
    ApiToken.objects.filter(user=staff).delete()


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m bench registrations", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--rounds", type=int, default=5, help="events, and bare runs (5)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--server-threads", type=int, default=8,
                        help="threads per gunicorn worker (8)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds a client waits for its answer (60)")
    parser.add_argument("--check", action="store_true",
                        help=f"exit 1 when the ratio is below {GOAL}")
    options = parser.parse_args(argv)

    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    sys.path.insert(0, str(BASE_DIR))
    token, program, coalition, staff = prepare()
    from django.conf import settings

    print(f"PostgreSQL {settings.DATABASES['default']['NAME']}, cache "
          f"{settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}, broker "
          f"{'Redis' if settings.REDIS_URL else 'filesystem'}; gunicorn {options.workers} "
          f"workers x {options.server_threads} threads; {CLIENTS} clients at once for a "
          f"{SEATS}-seat event, {options.rounds} rounds.", flush=True)
    rates = {name: [] for name in RUNS}
    ratios, errors, wrong = {"api": [], "floor": []}, 0, []
    try:
        with Server(workers=options.workers, threads=options.server_threads,
                    cache_timeout=0) as server:
            warm_up(server.port, program, staff, coalition, token, options.timeout)
            for number in range(1, options.rounds + 1):
                event = new_event(program, staff, number)
                people = people_for(coalition, CLIENTS)
                order = RUNS[number % len(RUNS):] + RUNS[:number % len(RUNS)]
                rate = {}
                for name in order:
                    path, headers = paths(name, event, token)
                    elapsed, statuses = fire(server.port, path, people, headers=headers,
                                             timeout=options.timeout)
                    failed = [s for s in statuses if s != 201]
                    errors += sum(1 for s in statuses if s >= 500 or s == 0)
                    if failed:
                        wrong.append(f"round {number}, {name}: {len(failed)} answers not 201 "
                                     f"({sorted(set(failed))})")
                    rate[name] = CLIENTS / elapsed
                    rates[name].append(rate[name])
                counts = event_counts(event)
                if counts != {"confirmed": SEATS, "waiting": CLIENTS - SEATS}:
                    wrong.append(f"round {number}: final counts {counts}")
                for name in ratios:
                    ratios[name].append(rate[name] / rate["bare"])
                print(f"  round {number}: API {rate['api']:6.0f} registrations/s, floor "
                      f"{rate['floor']:6.0f}/s, bare {rate['bare']:6.0f} rows/s; ratio "
                      f"{ratios['api'][-1]:.2f} (floor {ratios['floor'][-1]:.2f}); event: "
                      f"{counts.get('confirmed', 0)} confirmed, {counts.get('waiting', 0)} "
                      f"waiting, {sum(counts.values())} in all", flush=True)
                from .models import BareSignup

                BareSignup.objects.all().delete()
    finally:
        cleanup(program, coalition, staff)
    ratio = statistics.median(ratios["api"])
    floor = statistics.median(ratios["floor"])
    print(f"API: {statistics.median(rates['api']):.0f} registrations/s (median of rounds); "
          f"bare view: {statistics.median(rates['bare']):.0f} inserts/s; ratio {ratio:.2f} "
          f"({min(ratios['api']):.2f}-{max(ratios['api']):.2f}), goal >= {GOAL}: "
          f"{'met' if ratio >= GOAL else 'MISSED'}")
    print(f"The API's floor (its authentication, throttle and JSON, no row): "
          f"{statistics.median(rates['floor']):.0f}/s, ratio {floor:.2f} "
          f"({min(ratios['floor']):.2f}-{max(ratios['floor']):.2f}): no API view can do "
          f"better.")
    print(f"5xx or failed requests: {errors}. Each event: exactly {SEATS} confirmed and "
          f"{CLIENTS - SEATS} waiting: {'yes' if not wrong else 'NO'}")
    for line in wrong:
        print(f"  {line}")
    if wrong:
        return 1
    return 1 if options.check and ratio < GOAL else 0
