"""What the incidents app adds to the navigation."""

from django.utils.translation import gettext_lazy as _

from chashan_safety.registry import NavGroup, NavItem, register_nav, register_nav_group


def register() -> None:
    # emergencies: the incident register here, the duty desk and the joint response (apps above) beside it
    register_nav_group(NavGroup("response", _("Emergency and duty"), "bi-telephone-inbound", order=7))
    register_nav(
        NavItem(
            "incidents",
            _("Incident register"),
            "incidents:incident-list",
            "bi-exclamation-diamond",
            order=60,
            roles=frozenset({"town_admin", "leadership", "safety_officer", "village_office"}),
            group="response",
        )
    )
