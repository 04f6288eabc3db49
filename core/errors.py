from django.core.exceptions import ValidationError


class DomainError(ValidationError):
    """A rule of the program was broken; the message is written for the person who acted.

    It is a ``ValidationError``, so a form shows it beside the field it names
    (``form.add_error(None, error)``) and an API maps it to a 400 naming the field.
    Each app raises its own subclass.
    """
