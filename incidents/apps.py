from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self):
        from chashan_safety.registry import DemoLoader, register_demo
        from incidents import demo, measures, panels

        panels.register()
        measures.register()
        register_demo(DemoLoader("incidents", demo.load, order=40))
