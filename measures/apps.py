from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


def _catalog_row_changed(sender, **kwargs):
    from .services import catalog_changed

    if kwargs.get("raw"):  # loaddata: fixtures bring their own state
        return
    if "action" in kwargs and not kwargs["action"].startswith("post_"):
        return
    catalog_changed()


class MeasuresConfig(AppConfig):
    name = "measures"
    verbose_name = "Measure catalog and adoption"

    def ready(self):
        from .models import (
            Measure,
            MeasureFact,
            MeasureSet,
            ProgramMembership,
            QualityProgram,
            Tool,
        )

        # Every save or delete of a catalog row (the admin, the loader, a shell) moves the
        # catalog's version in the same transaction. A bulk update() or bulk_create() sends
        # no signal: it goes through services (measure_bulk_update) or calls
        # services.catalog_changed() itself.
        for model in (MeasureSet, Measure, Tool, MeasureFact, QualityProgram,
                      ProgramMembership):
            for signal in (post_save, post_delete):
                signal.connect(_catalog_row_changed, sender=model,
                               dispatch_uid=f"catalog-version-{signal}-{model.__name__}")
        m2m_changed.connect(_catalog_row_changed, sender=Measure.components.through,
                            dispatch_uid="catalog-version-components")

        # The registry's entries and action items show the measures and tools they name.
        from coalitions import sections

        from .views.links import action_item_catalog_section, assistance_catalog_section

        sections.register("assistance", "catalog", assistance_catalog_section)
        sections.register("action-item", "catalog", action_item_catalog_section)
