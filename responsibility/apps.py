from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsibilityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "responsibility"
    verbose_name = _("Responsibility")

    def ready(self):
        from chashan_safety.registry import DemoLoader, register_demo
        from responsibility import demo, panels

        panels.register()
        register_demo(DemoLoader("responsibility", demo.load, order=10))
