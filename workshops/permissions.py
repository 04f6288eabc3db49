"""Who may see or change what in workshops and web conferences.

Pages, the API and templates ask these functions. Querysets are scoped before a lookup, so
another coalition's registration answers 404, not 403.
"""

from coalitions.models import Membership
from coalitions.permissions import membership_of

from .models import Event, Registration


def can_manage_events(user):
    """Create, edit, publish and cancel events; register anyone; take attendance: staff."""
    return user.is_authenticated and user.is_program_staff


def can_view_all_registrations(user):
    return user.is_authenticated and user.can_view_program_data


def events_visible_to(user, queryset=None):
    """Published, cancelled and completed events for everyone; drafts for staff and
    evaluators too."""
    queryset = Event.objects.all() if queryset is None else queryset
    if user.is_authenticated and user.can_view_program_data:
        return queryset
    return queryset.exclude(status=Event.Status.DRAFT)


def registrations_visible_to(user, queryset=None):
    """Staff and evaluators see every registration; a coalition's lead and members see their
    coalition's; anyone else none."""
    queryset = Registration.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if user.can_view_program_data:
        return queryset
    membership = membership_of(user)
    if membership is None:
        return queryset.none()
    return queryset.filter(coalition_id=membership.coalition_id)


def can_register_for(user, coalition):
    """Staff register anyone for any coalition; a lead registers themself or colleagues of
    their own coalition."""
    if can_manage_events(user):
        return True
    membership = membership_of(user)
    return (membership is not None and membership.coalition_id == coalition.pk
            and membership.role == Membership.Role.LEAD)


def can_register_self(user):
    """A coalition member (not a lead) may register themself only."""
    return membership_of(user) is not None


def can_change_registration(user, registration):
    """Cancel or substitute: staff, the lead of the registration's coalition, or the person
    themself (signed in with the registered address)."""
    if can_register_for(user, registration.coalition):
        return True
    return user.is_authenticated and user.email.lower() == registration.email.lower()


def can_see_join_link(user, event, *, confirmed_emails=()):
    """The join link is for staff and for people with a confirmed registration."""
    if can_manage_events(user):
        return True
    return user.is_authenticated and user.email.lower() in confirmed_emails


def can_see_feedback(user):
    """An event's feedback results: staff and evaluators."""
    return can_view_all_registrations(user)


def can_see_feedback_names(user):
    """Who said what: staff, who follow up with the coalitions. Evaluators read the results
    de-identified (comments without names or coalitions): they judge the program, not people."""
    return can_manage_events(user)


def can_download_certificate(user, registration):
    """A signed-in person's way to a certificate: staff and evaluators, the lead of the
    registration's coalition, or the person themself. (The personal link in their e-mails
    opens it too, without signing in.)"""
    return can_view_all_registrations(user) or can_change_registration(user, registration)
