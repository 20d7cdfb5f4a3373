from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self):
        from chashan_safety.registry import DemoLoader, register_demo
        from inspections.services import register_after_move, register_move_guard
        from supervision import demo, panels, reminders, services

        register_move_guard(services.guard_move)
        register_after_move(services.after_move)
        panels.register()
        reminders.register()
        # after the findings (order 35): plans and follow-ups of the demo's major and closed findings
        register_demo(DemoLoader("supervision", demo.load, order=40))
