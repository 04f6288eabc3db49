"""Demo events of the Purchaser-Provider Synergies program, over its first months and ahead.

The kinds of event are the fact sheet's: technical-assistance workshops and web conferences
for the information-and-support coalitions, local workshops at the intensive sites,
peer-assist sessions of the learning networks, and national dissemination (presentations at
major meetings, briefings). They fall on the days the demo's technical-assistance log
records them (``coalitions.demo``). Titles, venues, audiences, attendance and feedback are
fictional; the measures and tools featured are real, from the catalog, by code.

Everything goes through the services: past events are registered for as of the week before
(``registration_create(now=...)``), web conferences' attendance comes from a Zoom
participant report imported as staff would, in-person events are checked in, and events over
are marked as held. An event already there is left alone, so a second load changes nothing.
"""

import zoneinfo
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from coalitions.demo import NETWORKS, SUPPORT_TOPICS
from coalitions.models import Coalition, Enrollment, LearningNetwork, Membership
from measures.models import Measure, Tool

from . import services
from .models import Event, Notice

EASTERN = "America/New_York"
PER_EVENT = 7  # people registered for a past event; 4 for an upcoming one

# What each monthly web conference featured: measure codes and tool codes from the catalog.
TOPIC_CATALOG = {
    "Introduction to the program and its resources": ([], ["T2", "T5"]),
    "Selecting measures for public reporting": (["PQI 90", "IQI 91"], ["T7"]),
    "Patient experience surveys": (["HCAHPS", "CAHPS Health Plan", "CG-CAHPS"], ["T11"]),
    "Designing pay-for-performance incentives": ([], ["T1", "T2"]),
    "Engaging providers in measurement": (["PSI 90"], ["T8"]),
    "Using the AHRQ Quality Indicators": (["PQI 90", "IQI 91", "PSI 90", "PDI 90"], []),
    "Aligning measures across purchasers": (["CBP", "BCS"], ["T7"]),
    "Reporting quality to consumers": ([], ["T9", "T12", "T13"]),
    "Evaluating incentive programs": ([], ["T3"]),
    "Sustaining coalition work": ([], ["T4"]),
    "Lessons from the intensive-assistance sites": ([], ["T4", "T14"]),
}

NETWORK_CATALOG = {
    "Public reporting": (["IQI 91"], ["T12", "T13"]),
    "Pay-for-performance design": (["PQI 92"], ["T1", "T3"]),
    "Measure alignment": (["CBP", "BCS", "CIS"], []),
}

COMMENTS = [
    "The worked examples were the most useful part; more of those, please.",
    "Good overview. We would like the slides before the session next time.",
    "Hearing how another coalition talked to its hospitals helped us plan our own meeting.",
    "A bit fast for those of us new to risk adjustment.",
    "",
    "Practical and to the point.",
]


def _event_specs():
    """(day, fields, featured codes, who: "support", "network:<name>", "site:<word>" or
    None for no registration). ``day`` counts from the program's start."""
    specs = []
    for month, topic in enumerate(SUPPORT_TOPICS):
        specs.append((28 + 30 * month, {
            "kind": Event.Kind.WEB_CONFERENCE, "title": f"Web conference: {topic}",
            "summary": "A monthly web conference for the information-and-support coalitions.",
            "hours": 1.5, "at": time(14), "capacity": 40,
        }, TOPIC_CATALOG[topic], "support"))
    for day, topic in ((358, "The year in review: what the coalitions learned"),
                       (393, "Year two: planning the coalitions' next steps")):
        specs.append((day, {
            "kind": Event.Kind.WEB_CONFERENCE, "title": f"Web conference: {topic}",
            "summary": "A monthly web conference for the information-and-support coalitions.",
            "hours": 1.5, "at": time(14), "capacity": 40, "offer_hours": 48,
        }, ([], ["T4"]), "support"))
    for day, topic, catalog in (
        (55, "Measures, data and public reporting",
         (["PQI 90", "IQI 91", "PSI 90", "HCAHPS"], ["T7", "T9"])),
        (235, "Selling the strategy back home: action planning", ([], ["T6", "T3", "T4"])),
        (420, "Year two: paying for performance in practice", (["PQI 92"], ["T1", "T3"])),
    ):
        specs.append((day, {
            "kind": Event.Kind.WORKSHOP, "title": f"Workshop: {topic}",
            "summary": "A one-day workshop for the information-and-support coalitions and the "
                       "State teams.",
            "hours": 7, "at": time(9), "capacity": 60, "per_coalition_limit": 3,
            "venue": "Conference center, Rockville, Maryland",
        }, catalog, "support"))
    specs.append((125, {
        "kind": Event.Kind.LOCAL_WORKSHOP,
        "title": "Local workshop: preparing the Hudson Valley's first hospital quality report",
        "summary": "With the collaborative's purchasers and hospital representatives.",
        "hours": 4, "at": time(9, 30), "capacity": 25,
        "venue": "Hudson Valley Purchaser-Provider Collaborative, Poughkeepsie, New York",
    }, (["PSI 90", "IQI 91"], ["T8", "T9"]), "site:Hudson"))
    specs.append((380, {
        "kind": Event.Kind.LOCAL_WORKSHOP,
        "title": "Local workshop: designing the Ozarks' ambulatory care incentive",
        "summary": "With the collaborative's payers and physician groups.",
        "hours": 4, "at": time(9, 30), "capacity": 25, "timezone": "America/Chicago",
        "venue": "Ozark All-Payer Quality Collaborative, Springfield, Missouri",
    }, (["PQI 90", "PQI 92"], ["T1"]), "site:Ozark"))
    for name, _topic, _members in NETWORKS:
        for number, day in enumerate((90, 180, 270, 360), start=1):
            specs.append((day, {
                "kind": Event.Kind.PEER_ASSIST,
                "title": f"{name} network: peer-assist session {number}",
                "summary": "Members share what worked and what did not since the last "
                           "session.",
                "hours": 1.5, "at": time(12), "capacity": 20, "per_coalition_limit": 2,
            }, NETWORK_CATALOG[name], f"network:{name}"))
    for day, count in ((150, 120), (300, 180)):
        specs.append((day, {
            "kind": Event.Kind.PRESENTATION,
            "title": "Early lessons from the intensive-assistance sites"
                     + (" (update)" if day == 300 else ""),
            "summary": "Presented at a national meeting of purchaser coalitions.",
            "hours": 1, "at": time(10, 30), "audience_count": count,
            "audience_kind": "Leaders of purchaser and community coalitions",
            "venue": "National meeting of purchaser coalitions",
        }, ([], []), None))
    specs.append((320, {
        "kind": Event.Kind.BRIEFING,
        "title": "Briefing: value-based purchasing in the States",
        "summary": "A briefing on the State teams' purchasing strategies and the program's "
                   "tools.",
        "hours": 1, "at": time(15), "audience_count": 40,
        "audience_kind": "State Medicaid directors and their staff",
        "venue": "Washington, D.C.",
    }, ([], ["T6"]), None))
    return specs


def _people(coalitions):
    """Who each coalition sends: its lead (their sign-in address, so the lead finds the
    registration on the event's page), then its other contacts."""
    leads = {m.coalition_id: m.user for m in Membership.objects.filter(
        role=Membership.Role.LEAD, coalition__in=coalitions).select_related("user")}
    people = []
    for coalition in coalitions:
        contacts = list(coalition.contacts.order_by("pk"))
        lead = leads.get(coalition.pk)
        if lead is not None:
            people.append((coalition, None, lead.email, lead.full_name or lead.email))
            contacts = contacts[1:]  # the first contact is the lead
        people += [(coalition, contact, contact.email, contact.name) for contact in contacts]
    return people


def _zoom_report(event, attendees):
    """A Zoom participant export: everyone from just before the start to near the end; one
    person in four dropped out for ten minutes and rejoined (two rows)."""
    zone = event.zone
    start, end = event.local_start, event.local_end

    def moment(value):
        return value.astimezone(zone).strftime("%m/%d/%Y %I:%M:%S %p")

    lines = ["Name (original name),User Email,Join time,Leave time,Duration (minutes),Guest"]
    for index, registration in enumerate(attendees):
        joined = start - timedelta(minutes=2 - index % 3)
        left = end - timedelta(minutes=index % 7)
        stretches = [(joined, left)]
        if index % 4 == 1:
            middle = start + (end - start) / 2
            stretches = [(joined, middle), (middle + timedelta(minutes=10), left)]
        for a, b in stretches:
            lines.append(f"{registration.name},{registration.email},{moment(a)},{moment(b)},"
                         f"{round((b - a).total_seconds() / 60)},No")
    return ("\n".join(lines) + "\n").encode()


def _catalog(codes):
    measure_codes, tool_codes = codes
    return (list(Measure.objects.filter(code__in=measure_codes)),
            list(Tool.objects.filter(code__in=tool_codes)))


@transaction.atomic
def demo_load(*, program, today=None, **kwargs):
    staff = User.objects.get(email="staff@demo.test")
    facilitator = User.objects.filter(email="facilitator@demo.test").first() or staff
    support = list(Coalition.objects.filter(
        enrollments__program=program, enrollments__tier=Enrollment.Tier.SUPPORT,
        enrollments__status=Enrollment.Status.ACTIVE).order_by("name"))
    networks = {n.name: n for n in LearningNetwork.objects.filter(program=program)}
    now = timezone.now()
    past = []
    for day, fields, codes, who in _event_specs():
        fields = dict(fields)
        if Event.objects.filter(program=program, title=fields["title"]).exists():
            continue
        zone = fields.pop("timezone", EASTERN)
        hours, at = fields.pop("hours"), fields.pop("at")
        start = datetime.combine(program.start_date + timedelta(days=day), at,
                                 tzinfo=zoneinfo.ZoneInfo(zone))
        eligibility = {}
        coalitions = []
        if who == "support":
            eligibility = {"eligibility": Event.Eligibility.TIER,
                           "eligible_tier": Enrollment.Tier.SUPPORT}
            coalitions = support
        elif who and who.startswith("network:"):
            network = networks.get(who.split(":", 1)[1])
            if network is None:
                continue
            eligibility = {"eligibility": Event.Eligibility.NETWORK,
                           "eligible_network": network}
            coalitions = [m.coalition for m in network.memberships.select_related("coalition")
                          .filter(left_on__isnull=True).order_by("coalition__name")]
        elif who and who.startswith("site:"):
            coalitions = list(Coalition.objects.filter(name__startswith=who.split(":", 1)[1]))
            eligibility = {"eligibility": Event.Eligibility.COALITIONS,
                           "eligible_coalitions": coalitions}
        online = fields["kind"] in (Event.Kind.WEB_CONFERENCE, Event.Kind.PEER_ASSIST)
        measures, tools = _catalog(codes)
        event = services.event_create(
            actor=facilitator if fields["kind"] == Event.Kind.PEER_ASSIST else staff,
            program=program, start=start, end=start + timedelta(hours=hours), timezone=zone,
            status=Event.Status.PUBLISHED, registration_opens_at=start - timedelta(days=60),
            join_url=f"https://meet.example.org/pps-{day}-{len(fields['title'])}"
            if online else "", featured_measures=measures, featured_tools=tools,
            **eligibility, **fields,
        )
        if who is not None:
            _register(event, coalitions, staff=staff, now=now, day=day)
        if event.end <= now:
            past.append(event)
    for event in past:
        _hold(event, staff=staff)
    # The past events happened before the portal held them: nobody was e-mailed about them
    # then, so the e-mails their recording made due are dropped rather than sent today.
    Notice.objects.filter(registration__event__in=past).delete()
    return {}


def _register(event, coalitions, *, staff, now, day):
    """Register the coalitions' people: for a past event as of the week before it, for an
    upcoming one now if its registration is open (a few people, none for a far-off one)."""
    moment = event.start - timedelta(days=7) if event.start <= now else now
    if event.registration_window_state(moment) != "open":
        return
    people = _people(coalitions)
    # Not everyone comes to everything: a few people, a different few each time.
    shift = day % max(len(people), 1)
    chosen = (people[shift:] + people[:shift])[:PER_EVENT if event.start <= now else 4]
    for coalition, contact, email, name in chosen:
        try:
            services.registration_create(event=event, coalition=coalition, email=email,
                                         name=name, contact=contact, actor=staff, now=moment)
        except services.RegistrationError:
            continue  # a per-coalition limit or a full event: as it would have been


def _hold(event, *, staff):
    """Attendance as recorded after the event, the event marked as held, and the feedback
    most attendees gave."""
    registrations = list(event.registrations.filter(status="confirmed").order_by("pk"))
    came = [r for i, r in enumerate(registrations) if (event.pk + i) % 5]  # four in five
    if came and event.is_online:
        record, _report = services.attendance_import_read(
            event=event, filename=f"zoom-participants-{event.pk}.csv",
            raw=_zoom_report(event, came), actor=staff)
        services.attendance_import_apply(record=record, actor=staff)
    else:
        for index, registration in enumerate(came):
            services.registration_check_in(registration=registration, actor=staff,
                                           at=event.start - timedelta(minutes=index % 9))
    services.event_complete(event=event, actor=staff)
    featured = [*event.featured_measures.all(), *event.featured_tools.all()]
    for index, registration in enumerate(event.registrations.filter(
            checked_in_at__isnull=False).order_by("pk")):
        seed = event.pk + index
        if seed % 3 == 0:
            continue  # not everyone answers
        rating = (5, 4, 4, 3, 5, 2)[seed % 6]
        services.feedback_create(
            registration=registration, actor=None, rating=rating,
            usefulness="very" if rating >= 4 else "somewhat" if rating == 3 else "not",
            comments=COMMENTS[seed % len(COMMENTS)],
            intentions=[(item, (seed + k) % 4 != 0) for k, item in enumerate(featured)],
        )
