from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "duty"
    verbose_name = _("Duty and joint response")

    def ready(self):
        from chashan_safety.registry import DemoLoader, register_demo
        from duty import demo, panels

        panels.register()
        # after the accounts, officers and incidents (orders 20–40): shifts name demo people, activations incidents
        register_demo(DemoLoader("duty", demo.load, order=50))
