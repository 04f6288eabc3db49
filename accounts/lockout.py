"""How django-axes names the account behind a failed sign-in."""


def lockout_username(request, credentials=None):
    """The e-mail address as the login matches it: trimmed and in lower case, so that
    ``PAT@example.org`` counts against the same account as ``pat@example.org``."""
    source = credentials if credentials is not None else getattr(request, "POST", {})
    return (source.get("username") or "").strip().lower() or None
