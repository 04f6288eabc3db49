from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "Evaluation"

    def ready(self):
        from coalitions import dashboard

        from . import panels

        dashboard.register("course-corrections", panels.course_corrections_panel, order=40)
