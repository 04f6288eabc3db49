"""Who may see or ask for what in the evaluation.

Staff and evaluators see every report and request them; a coalition's lead sees only the
reports about their own coalition that staff shared with it. Anything else is a 404.
"""

from coalitions.models import Membership
from coalitions.permissions import membership_of

from .models import Report


def can_request_reports(user):
    return user.is_authenticated and user.can_view_program_data


def can_record_findings(user):
    return user.is_authenticated and user.can_view_program_data


def can_set_targets(user):
    return user.is_authenticated and user.is_program_staff


def can_view_reports(user):
    """The reports pages: staff and evaluators, and coalition leads (who see only the reports
    staff shared with their coalition)."""
    if not user.is_authenticated:
        return False
    if user.can_view_program_data:
        return True
    membership = membership_of(user)
    return membership is not None and membership.role == Membership.Role.LEAD


def can_share_reports(user):
    return user.is_authenticated and user.is_program_staff


def can_view_indicators(user):
    return user.is_authenticated and user.can_view_program_data


def reports_visible_to(user, queryset=None):
    queryset = Report.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if user.can_view_program_data:
        return queryset
    membership = membership_of(user)
    if membership is None or membership.role != Membership.Role.LEAD:
        return queryset.none()
    return queryset.filter(coalition_id=membership.coalition_id, shared_with_coalition=True,
                           status=Report.Status.SUCCEEDED)
