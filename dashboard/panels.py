"""What the dashboard adds to the navigation and to the leaders' home page."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chashan_safety.registry import HomePanel, NavItem, register_nav, register_panel

ROLES = frozenset({"town_admin", "leadership"})


def _headline(user) -> dict:
    from dashboard import figures
    from incidents.models import Incident

    today = timezone.localdate()
    incidents = Incident.objects.visible_to(user)
    series = figures.by_year(incidents, through=today.year, today=today)
    return {"series": series, "period": figures.same_period(incidents, today=today)}


def register() -> None:
    register_nav(NavItem("dashboard", _("Dashboard"), "dashboard:dashboard", "bi-graph-up", order=0, roles=ROLES))
    register_panel(
        HomePanel("dashboard-headline", "dashboard/includes/_panel_headline.html", _headline, roles=ROLES, order=1)
    )
