"""Who may change whose account."""


def user_has_powers(user):
    """Staff, superusers and anyone holding a role group or a permission of their own: an
    account whose takeover would hand over more than one coalition's data."""
    return (
        user.is_staff
        or user.is_superuser
        or user.groups.exists()
        or user.user_permissions.exists()
    )


def user_can_manage(actor, target):
    """Whether ``actor`` may change, deactivate, reset the password of or delete ``target``.

    Only a superuser manages staff, superusers and holders of a role; anyone else (program
    staff with the admin's user permission) manages ordinary coalition users and themself.
    Whether the actor holds the model permission at all is the caller's other check.
    """
    if actor.is_superuser or actor.pk == target.pk:
        return True
    return not user_has_powers(target)
