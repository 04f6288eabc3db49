"""Two steps every service that writes a model shares: apply the submitted values, noting
which changed, and save with the model's own checks and the actor recorded in its history."""


def apply_changes(instance, fields):
    """Set each of ``fields`` on ``instance`` that differs; returns the names that changed,
    so a save that changes nothing can write nothing."""
    changed = []
    for name, value in fields.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def save_checked(instance, *, actor, update_fields=None):
    """Validate ``instance`` (fields and constraints), then save it with ``actor`` as the
    author of its history row."""
    instance.full_clean()
    instance._history_user = actor
    instance.save(update_fields=update_fields)
    return instance
