from django.apps import AppConfig


class CoalitionsConfig(AppConfig):
    name = "coalitions"
    verbose_name = "Program registry"

    def ready(self):
        from . import (
            dashboard,
            selectors,
            signals,  # noqa: F401  (connects the receivers)
            timeline,
        )

        timeline.register("assistance", selectors.assistance_timeline)
        timeline.register("follow-ups", selectors.follow_up_timeline)
        timeline.register("enrolment", selectors.enrollment_timeline)
        timeline.register("networks", selectors.network_timeline)
        timeline.register("action-plan", selectors.action_plan_changes)
        dashboard.register("follow-ups", dashboard.follow_ups_panel, order=10)
        dashboard.register("hours", dashboard.hours_panel, order=20)
        dashboard.register("no-contact", dashboard.no_contact_panel, order=30)
