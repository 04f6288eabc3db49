"""Who may see or change adoption and incentive-program records.

The catalog itself is public. A coalition's adoption records are seen by program staff,
evaluators and that coalition's members (peer learning shows, on a measure's page, which
coalitions of the program use it); only staff and the coalition's leads change them.
"""

from coalitions.permissions import (
    can_manage_contacts,
    can_view_programs,
    coalitions_visible_to,
    membership_of,
)


def can_see_adopters(user):
    """Staff, evaluators and coalition members see who uses a measure (peer learning)."""
    return can_view_programs(user) or membership_of(user) is not None


def can_manage_adoption(user, coalition):
    """Program staff, and the leads of that coalition, keep its adoption records."""
    return can_manage_contacts(user, coalition)


def adoption_coalitions_for(user):
    """The coalitions whose adoption records the user may read."""
    return coalitions_visible_to(user)
