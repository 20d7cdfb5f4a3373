from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChashanSafetyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "chashan_safety"
    verbose_name = _("Portal")

    def ready(self):
        from chashan_safety import (
            demo,
            inbox,
            middleware,  # noqa: F401  (connects the sign-in receiver)
        )
        from chashan_safety.registry import (
            DemoLoader,
            NavGroup,
            NavItem,
            register_demo,
            register_nav,
            register_nav_group,
        )

        register_nav_group(NavGroup("registries", _("Registries"), "bi-journal-text", order=60))
        register_nav_group(NavGroup("admin", _("Administration"), "bi-gear", order=90))
        register_nav(
            NavItem(
                "users",
                _("Accounts"),
                "accounts:user-list",
                "bi-person-gear",
                order=90,
                roles=frozenset({"town_admin"}),
                group="admin",
            )
        )
        register_demo(DemoLoader("accounts", demo.load, order=30))
        inbox.register()
