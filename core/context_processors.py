from django.urls import reverse


def navigation(request):
    """The header's navigation, chosen by the visitor's role."""
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        if user.can_view_program_data:
            items += [
                ("Dashboard", reverse("coalitions:dashboard")),
                ("Programs", reverse("coalitions:program-list")),
                ("Coalitions", reverse("coalitions:coalition-list")),
                ("Adoption", reverse("measures:adoption-list")),
                ("Action items", reverse("coalitions:action-item-list")),
                ("Reports", reverse("evaluation:report-list")),
                ("Indicators", reverse("evaluation:indicator-list")),
            ]
        membership = getattr(user, "membership", None)
        if membership is not None:
            items += [
                ("My coalition", reverse("coalitions:my-coalition")),
                ("Adoption",
                 reverse("measures:coalition-measures", args=[membership.coalition_id])),
            ]
            if membership.role == "lead" and not user.can_view_program_data:
                # The reports staff shared with the coalition (the list may be empty).
                items.append(("Reports", reverse("evaluation:report-list")))
        if user.can_view_program_data or membership is not None:
            items += [
                ("Assistance", reverse("coalitions:assistance-list")),
                ("Networks", reverse("coalitions:network-list")),
            ]
    # Published events and the catalog are public: everyone, signed in or not, sees them.
    items += [
        ("Events", reverse("workshops:event-list")),
        ("Measures", reverse("measures:measure-list")),
        ("Tools", reverse("measures:tool-list")),
    ]
    if user is not None and user.is_authenticated and user.is_staff:
        items.append(("Admin", reverse("admin:index")))
    current = request.path if request is not None else ""
    return {
        "nav_items": [
            {"label": label, "url": url, "current": current.startswith(url)}
            for label, url in items
        ]
    }
