from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "inspections"
    verbose_name = _("Inspections and hazards")

    def ready(self):
        from chashan_safety.registry import DemoLoader, register_demo
        from inspections import demo, demo_findings, measures, panels, reminders

        panels.register()
        reminders.register()
        measures.register()
        register_demo(DemoLoader("inspections", demo.load, order=20))
        # after the accounts (order 30): the demo logins submit the fixes of their villages and unit
        register_demo(DemoLoader("findings", demo_findings.load, order=35))
