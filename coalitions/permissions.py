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
