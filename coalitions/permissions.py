"""Who may see or change what in the program registry.

Pages, the admin and any API ask these functions; none decides on its own. Querysets are
scoped before an object is looked up, so another coalition's id answers 404, not 403.
"""

from .models import Coalition, Membership


def membership_of(user):
    """The user's coalition membership, or None."""
    if not user.is_authenticated:
        return None
    return getattr(user, "membership", None)


def can_view_programs(user):
    return user.is_authenticated and user.can_view_program_data


def can_manage_programs(user):
    """Create and edit programs, coalitions and enrolments: program staff only."""
    return user.is_authenticated and user.is_program_staff


def coalitions_visible_to(user, queryset=None):
    queryset = Coalition.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if user.can_view_program_data:
        return queryset
    membership = membership_of(user)
    if membership is None:
        return queryset.none()
    return queryset.filter(pk=membership.coalition_id)


def can_manage_contacts(user, coalition):
    """Program staff, and the leads of that coalition, keep its contacts."""
    if can_manage_programs(user):
        return True
    membership = membership_of(user)
    return (
        membership is not None
        and membership.coalition_id == coalition.pk
        and membership.role == Membership.Role.LEAD
    )


def is_lead_of(user, coalition):
    membership = membership_of(user)
    return (
        membership is not None
        and membership.coalition_id == coalition.pk
        and membership.role == Membership.Role.LEAD
    )


def can_invite(user, coalition):
    """Program staff invite leads and members to any coalition; a lead, members to their own."""
    return can_manage_programs(user) or is_lead_of(user, coalition)


def can_invite_leads(user):
    return can_manage_programs(user)


def can_manage_invitation(user, invitation):
    """Resend or revoke: staff any invitation, a lead the member invitations of their own."""
    if can_manage_programs(user):
        return True
    return is_lead_of(user, invitation.coalition) and invitation.role == Membership.Role.MEMBER


def can_see_invitations(user, coalition):
    return (user.is_authenticated and user.can_view_program_data) or is_lead_of(user, coalition)


def can_edit_action_plan(user, coalition):
    """A coalition's leads work its action plan; members, staff and evaluators read it."""
    return is_lead_of(user, coalition)


def can_view_all_action_plans(user):
    """The cross-plan list of action items: program staff and evaluators."""
    return user.is_authenticated and user.can_view_program_data


# --- technical-assistance log and learning networks -----------------------------------------


def can_view_assistance(user):
    """Staff and evaluators read the whole log; a coalition's people, the entries naming it."""
    return user.is_authenticated and (
        user.can_view_program_data or membership_of(user) is not None
    )


def can_log_assistance(user):
    """Create and edit technical-assistance entries and learning networks: program staff."""
    return can_manage_programs(user)


def assistance_visible_to(user, queryset=None):
    """Entries the user may read: all for staff and evaluators, for a coalition's people only
    those that name their coalition."""
    from .models import TechnicalAssistance

    queryset = TechnicalAssistance.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if user.can_view_program_data:
        return queryset
    membership = membership_of(user)
    if membership is None:
        return queryset.none()
    return queryset.filter(coalitions=membership.coalition_id)


def networks_visible_to(user, queryset=None):
    """Networks the user may read: all for staff and evaluators, for a coalition's people the
    networks their coalition belongs to or belonged to."""
    from .models import LearningNetwork, NetworkMembership

    queryset = LearningNetwork.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if user.can_view_program_data:
        return queryset
    membership = membership_of(user)
    if membership is None:
        return queryset.none()
    return queryset.filter(
        pk__in=NetworkMembership.objects.filter(
            coalition_id=membership.coalition_id
        ).values("network_id")
    )
