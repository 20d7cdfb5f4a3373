from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsibilityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "responsibility"
    verbose_name = _("Responsibility")

    def ready(self):
        from chashan_safety.registry import DemoLoader, register_demo
        from responsibility import demo, demo_letters, panels, reminders, scorecard

        panels.register()
        reminders.register()
        scorecard.register_measures()
        register_demo(DemoLoader("responsibility", demo.load, order=10))
        # after the findings (35) and the incidents: the scores read them
        register_demo(DemoLoader("letters", demo_letters.load, order=60))
