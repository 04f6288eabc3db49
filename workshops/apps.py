from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = "Workshops and web conferences"

    def ready(self):
        from coalitions import timeline

        from . import selectors

        # Events the coalition's people attended, on its timeline (coalitions owns the
        # registry and never imports workshops).
        timeline.register("events-attended", selectors.attended_events_timeline)
