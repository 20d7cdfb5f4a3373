from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outreach"
    verbose_name = _("Outreach")

    def ready(self):
        from chashan_safety.registry import DemoLoader, register_demo
        from outreach import demo, panels

        panels.register()
        # after the villages (responsibility, 10) and the accounts (30)
        register_demo(DemoLoader("outreach", demo.load, order=45))
