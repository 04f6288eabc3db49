"""Which measures and tools a technical-assistance entry or an action-plan item concerns.

The link is kept on the catalog's side (``CatalogLink``); the registry's pages show it through
their section registry (``coalitions.sections``, filled in ``MeasuresConfig.ready``), so
``coalitions`` never imports the catalog.
"""

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from coalitions import permissions as registry_permissions
from coalitions import selectors as registry_selectors
from coalitions.dashboard import Panel
from core.views import PermissionRequiredMixin, ServiceFormView

from .. import services
from ..forms import CatalogLinksForm
from ..models import CatalogLink


def _links(**target):
    return list(
        CatalogLink.objects.filter(**target)
        .select_related("measure", "tool")
        .order_by("measure__code", "tool__title")
    )


def assistance_catalog_section(entry, user):
    """The technical-assistance entry's page: the measures and tools it concerns."""
    can_edit = registry_permissions.can_log_assistance(user)
    return Panel(
        "Measures and tools discussed",
        "measures/_catalog_links.html",
        {
            "links": _links(assistance=entry),
            "edit_url": reverse("measures:assistance-catalog-links", args=[entry.pk])
            if can_edit else "",
        },
    )


def _can_edit_item(user, item):
    return registry_permissions.can_manage_programs(user) or (
        registry_permissions.can_edit_action_plan(user, item.plan.coalition)
    )


def action_item_catalog_section(item, user):
    """The action item's page: the measures and tools it concerns."""
    return Panel(
        "Measures and tools concerned",
        "measures/_catalog_links.html",
        {
            "links": _links(action_item=item),
            "edit_url": reverse("measures:action-item-catalog-links", args=[item.pk])
            if _can_edit_item(user, item) else "",
        },
    )


class _CatalogLinksView(PermissionRequiredMixin, ServiceFormView):
    template_name = "measures/catalog_links_form.html"
    form_class = CatalogLinksForm
    success_message = "Measures and tools saved."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "links": _links(**self.target())}

    def get_context_data(self, **kwargs):
        return super().get_context_data(subject=self.subject, **kwargs)

    def perform(self, form):
        services.catalog_links_set(actor=self.request.user, **self.target(), **form.cleaned_data)
        return self.subject


class AssistanceCatalogLinksView(_CatalogLinksView):
    permission = registry_permissions.can_log_assistance

    def load(self):
        self.subject = registry_selectors.assistance_get_for(self.request.user, self.kwargs["pk"])

    def target(self):
        return {"assistance": self.subject}


class ActionItemCatalogLinksView(_CatalogLinksView):
    def load(self):
        # Scoped first: another coalition's item is 404; a member's own item is 403.
        self.subject = registry_selectors.action_item_get_for(
            self.request.user, self.kwargs["pk"]
        )
        if not _can_edit_item(self.request.user, self.subject):
            raise PermissionDenied

    def target(self):
        return {"action_item": self.subject}
