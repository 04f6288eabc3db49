from django.urls import reverse


def navigation(request):
    """The header's navigation, chosen by the visitor's role."""
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        if user.can_view_program_data:
            items += [
                ("Programs", reverse("coalitions:program-list")),
                ("Coalitions", reverse("coalitions:coalition-list")),
            ]
        if getattr(user, "membership", None) is not None:
            items.append(("My coalition", reverse("coalitions:my-coalition")))
        if user.is_staff:
            items.append(("Admin", reverse("admin:index")))
    current = request.path if request is not None else ""
    return {
        "nav_items": [
            {"label": label, "url": url, "current": current.startswith(url)}
            for label, url in items
        ]
    }
