from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class MeasuresConfig(AppConfig):
    name = "measures"
    verbose_name = "Measure catalog and adoption"

    def ready(self):
        from .models import Measure, MeasureSet, Tool
        from .selectors import catalog_version_forget

        # Any change to the catalog in this process moves its version at once.
        for model in (MeasureSet, Measure, Tool):
            for signal in (post_save, post_delete):
                signal.connect(catalog_version_forget, sender=model,
                               dispatch_uid=f"catalog-version-{signal}-{model.__name__}")
        m2m_changed.connect(catalog_version_forget, sender=Measure.components.through,
                            dispatch_uid="catalog-version-components")
