"""The staff dashboard (the staff home) is made of panels, from this app and later ones.

``coalitions`` owns this registry and knows no later app. Each app adds its panels in its
``AppConfig.ready()``::

    from coalitions import dashboard

    dashboard.register("course-corrections", open_course_corrections, order=40)

A panel is a callable ``panel(user, today)`` that returns a ``Panel`` (a title, the
template that draws it and that template's context) or ``None`` when it has nothing for this
user. It reads with a fixed number of queries, whatever the data hold, and every number it
shows links to the filtered list behind it.
"""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.http import urlencode

from .selectors import (
    NO_CONTACT_DAYS,
    assistance_hours,
    coalitions_without_contact,
    follow_up_counts,
    quarter_of,
)


@dataclass
class Panel:
    title: str
    template: str
    context: dict = field(default_factory=dict)
    name: str = ""


_panels = {}


def register(name, panel, *, order=100):
    """Add a panel under ``name`` (registering it again replaces it); lower ``order`` first."""
    _panels[name] = (order, panel)


def unregister(name):
    _panels.pop(name, None)


def panels_for(user, today):
    shown = []
    for name, (_, panel) in sorted(_panels.items(), key=lambda item: item[1][0]):
        result = panel(user, today)
        if result is not None:
            result.name = result.name or name
            shown.append(result)
    return shown


# --- this app's own panels (registered in apps.py) ------------------------------------------


def _list_url(name, **query):
    query = {key: value for key, value in query.items() if value not in (None, "")}
    return reverse(name) + (f"?{urlencode(query)}" if query else "")


def follow_ups_panel(user, today):
    """Open and overdue follow-ups, the user's own and everyone's."""
    counts = follow_up_counts(user, today)
    url = "coalitions:follow-up-list"
    rows = [
        ("Mine", counts["open_mine"], _list_url(url, status="open", owner="me"),
         counts["overdue_mine"], _list_url(url, owner="me", overdue="yes")),
        ("Everyone's", counts["open_all"], _list_url(url, status="open"),
         counts["overdue_all"], _list_url(url, overdue="yes")),
    ]
    return Panel("Follow-ups", "coalitions/panels/follow_ups.html", {"rows": rows})


def hours_panel(user, today):
    """Technical-assistance hours this quarter, by tier and by kind."""
    start, end = quarter_of(today)
    hours = assistance_hours(user, start, end)
    url = "coalitions:assistance-list"
    period = {"date_from": start.isoformat(), "date_to": end.isoformat()}
    return Panel(
        f"Hours this quarter ({start:%B %-d} to {end:%B %-d, %Y})",
        "coalitions/panels/hours.html",
        {
            "total": hours["total"],
            "total_url": _list_url(url, **period),
            "tiers": [(tier.label, value, _list_url(url, tier=tier.value, **period))
                      for tier, value in hours["tiers"]],
            "kinds": [(kind.label, value, _list_url(url, kind=kind.value, **period))
                      for kind, value in hours["kinds"]],
        },
    )


def no_contact_panel(user, today):
    """How many coalitions in a running program have had no contact for 60 days."""
    return Panel(
        f"No contact in the last {NO_CONTACT_DAYS} days",
        "coalitions/panels/no_contact.html",
        {
            "count": coalitions_without_contact(today).count(),
            "url": _list_url("coalitions:no-contact-list"),
            "days": NO_CONTACT_DAYS,
        },
    )
