from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "inspections"
    verbose_name = _("Inspections")

    def ready(self):
        from chashan_safety.registry import DemoLoader, register_demo
        from inspections import demo, panels

        panels.register()
        register_demo(DemoLoader("inspections", demo.load, order=20))
