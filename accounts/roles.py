"""The portal's roles.

Program staff and evaluators are Django groups whose permissions are declared here and
synchronised after every migration. Coalition leads and members are not groups: their role
is a membership of one coalition (``coalitions.Membership``).
"""

from django.contrib.auth.models import Group, Permission

PROGRAM_STAFF = "Program staff"
EVALUATOR = "Evaluator"

# app label -> actions on every model of that app. Later apps add their labels here.
ROLE_PERMISSIONS = {
    PROGRAM_STAFF: {"coalitions": ("add", "change", "delete", "view")},
    EVALUATOR: {"coalitions": ("view",)},
}


def roles_sync(*, using="default"):
    """Create the role groups and give each exactly the permissions declared above."""
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        wanted = Permission.objects.using(using).none()
        for app_label, actions in grants.items():
            codename_prefixes = [f"{action}_" for action in actions]
            perms = Permission.objects.using(using).filter(content_type__app_label=app_label)
            wanted = wanted | perms.filter(
                codename__regex=r"^(" + "|".join(codename_prefixes) + ")"
            )
        group.permissions.set(wanted)
