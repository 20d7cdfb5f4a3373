"""What the responsibility app adds to the home page and the navigation."""

from django.utils.translation import gettext_lazy as _

from chashan_safety.registry import HomePanel, NavItem, register_nav, register_panel
from responsibility.models import SupervisionLetter, Unit, Village


def _my_village(user) -> dict:
    village = Village.objects.visible_to(user).select_related("zone_link__zone").filter(pk=user.village_id).first()
    return {"village": village, "grid_count": village.grids.count() if village else 0}


def _my_unit(user) -> dict:
    return {"unit": Unit.objects.visible_to(user).filter(pk=user.unit_id).first()}


def _letters_to_send(user) -> dict:
    drafts = SupervisionLetter.objects.visible_to(user).filter(status=SupervisionLetter.Status.DRAFT)
    letters = drafts.select_related("card__village", "card__unit").order_by("-created_at", "-pk")[:5]
    return {"drafts": drafts.count(), "letters": letters}


def register() -> None:
    register_nav(
        NavItem(
            "villages",
            _("Villages"),
            "responsibility:village-list",
            "bi-houses",
            order=20,
            roles=frozenset({"town_admin", "safety_officer", "leadership"}),
            group="registries",
        )
    )
    register_nav(
        NavItem(
            "my-village",
            _("My village"),
            "responsibility:village-list",
            "bi-house",
            order=20,
            roles=frozenset({"village_office"}),
        )
    )
    register_nav(
        NavItem(
            "units",
            _("Units"),
            "responsibility:unit-list",
            "bi-building",
            order=30,
            roles=frozenset({"town_admin", "safety_officer", "leadership", "unit_office"}),
            group="registries",
        )
    )
    register_panel(
        HomePanel(
            "my-village",
            "responsibility/includes/_panel_my_village.html",
            _my_village,
            roles=frozenset({"village_office"}),
            order=10,
        )
    )
    register_panel(
        HomePanel(
            "my-unit",
            "responsibility/includes/_panel_my_unit.html",
            _my_unit,
            roles=frozenset({"unit_office"}),
            order=10,
        )
    )
    register_panel(
        HomePanel(
            "letters-to-send",
            "responsibility/includes/_panel_letters.html",
            _letters_to_send,
            roles=frozenset({"town_admin"}),
            order=40,
        )
    )
