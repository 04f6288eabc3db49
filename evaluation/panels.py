"""The evaluation's panel on the staff dashboard (``coalitions.dashboard``'s registry)."""

from coalitions.dashboard import Panel

from . import permissions, selectors


def course_corrections_panel(user, today):
    """Course corrections still open, soonest due first."""
    if not permissions.can_record_findings(user):
        return None
    corrections = selectors.open_corrections()
    return Panel("Open course corrections", "evaluation/panels/course_corrections.html",
                 {**corrections, "today": today})
