"""What the responsibility app adds to the home page and the navigation."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chashan_safety.registry import HomePanel, NavGroup, NavItem, register_nav, register_nav_group, register_panel
from responsibility.models import ResponsibilityLetter, SupervisionLetter, Unit, Village
from responsibility.progress import signing_progress


def _my_village(user) -> dict:
    village = Village.objects.visible_to(user).select_related("zone_link__zone").filter(pk=user.village_id).first()
    return {"village": village, "grid_count": village.grids.count() if village else 0}


def _my_unit(user) -> dict:
    return {"unit": Unit.objects.visible_to(user).filter(pk=user.unit_id).first()}


def _letters_to_send(user) -> dict:
    drafts = SupervisionLetter.objects.visible_to(user).filter(status=SupervisionLetter.Status.DRAFT)
    letters = drafts.select_related("card__village", "card__unit").order_by("-created_at", "-pk")[:5]
    return {"drafts": drafts.count(), "letters": letters}


def _my_letter(user) -> dict:
    """The office's letter of this year, or the latest one, with whether it waits for a signature."""
    letter = ResponsibilityLetter.objects.visible_to(user).order_by("-year").first()
    today = timezone.localdate()
    return {"letter": letter, "today": today, "late": bool(letter and not letter.is_signed and letter.deadline < today)}


def _letter_progress(user) -> dict:
    year = timezone.localdate().year
    return {"progress": signing_progress(year), "year": year}


def register() -> None:
    register_nav_group(NavGroup("letters", _("Letters"), "bi-pen", order=55))
    for key, label, url_name, icon, roles, order in (
        (
            "rletters",
            _("Signing progress"),
            "responsibility:rletter-progress",
            "bi-pen",
            frozenset({"town_admin", "leadership", "safety_officer"}),
            1,
        ),
        (
            "scorecard",
            _("Year-end scorecard"),
            "responsibility:scorecard",
            "bi-trophy",
            frozenset({"town_admin", "leadership"}),
            2,
        ),
        (
            "letter-templates",
            _("Letter templates"),
            "responsibility:template-list",
            "bi-file-earmark-text",
            frozenset({"town_admin", "leadership"}),
            3,
        ),
    ):
        register_nav(NavItem(key, label, url_name, icon, roles=roles, order=order, group="letters"))
    register_nav(
        NavItem(
            "my-letter",
            _("My responsibility letter"),
            "responsibility:rletter-mine",
            "bi-pen",
            order=25,
            roles=frozenset({"village_office", "unit_office"}),
            active_prefixes=("/responsibility-letters/",),
        )
    )
    register_panel(
        HomePanel(
            "my-letter",
            "responsibility/includes/_panel_my_letter.html",
            _my_letter,
            roles=frozenset({"village_office", "unit_office"}),
            order=5,
        )
    )
    register_panel(
        HomePanel(
            "letter-progress",
            "responsibility/includes/_panel_letter_progress.html",
            _letter_progress,
            roles=frozenset({"town_admin"}),
            order=45,
        )
    )
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
