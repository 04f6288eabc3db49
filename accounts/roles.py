"""The portal's roles.

Program staff and evaluators are Django groups whose permissions are declared here and
synchronised after every migration. Coalition leads and members are not groups: their role
is a membership of one coalition (``coalitions.Membership``).
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

PROGRAM_STAFF = "Program staff"
EVALUATOR = "Evaluator"

# "app_label" (every model of the app) or "app_label.model" -> the actions granted.
ROLE_PERMISSIONS = {
    PROGRAM_STAFF: {
        "coalitions": ("add", "change", "delete", "view"),
        "measures": ("add", "change", "delete", "view"),
        "workshops": ("add", "change", "delete", "view"),
        "evaluation": ("add", "change", "view"),
        # Staff sign up coalition leads and members; only superusers grant staff powers
        # (accounts.admin keeps those fields read-only for everyone else).
        "accounts.user": ("add", "change", "view"),
    },
    EVALUATOR: {"coalitions": ("view",), "measures": ("view",), "workshops": ("view",),
                # Evaluators request reports and record findings through the pages and API
                # (evaluation.permissions); in the admin they only read.
                "evaluation": ("view",)},
}


def _permissions_for(grants):
    wanted = Q(pk__in=[])
    for target, actions in grants.items():
        app_label, _, model = target.partition(".")
        scope = Q(content_type__app_label=app_label)
        if model:
            scope &= Q(content_type__model=model)
        for action in actions:
            wanted |= scope & Q(codename__startswith=f"{action}_")
    return wanted


def roles_sync(*, using="default"):
    """Create the role groups and give each exactly the permissions declared above."""
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set(Permission.objects.using(using).filter(_permissions_for(grants)))
