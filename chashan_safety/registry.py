"""Small registries through which the apps plug into the portal's shared pages.

``chashan_safety`` imports no app: each app registers its home-page panels and
navigation entries here from its ``AppConfig.ready()``, so that adding a panel
is one registration and imports keep pointing one way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

ALL_ROLES = frozenset({"town_admin", "safety_officer", "village_office", "unit_office", "leadership"})


@dataclass(frozen=True)
class HomePanel:
    key: str
    template: str
    context: Callable[..., dict]  # called with the user; returns the panel's template context
    roles: frozenset[str] = ALL_ROLES
    order: int = 100


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    icon: str
    roles: frozenset[str] = ALL_ROLES
    order: int = 100
    group: str = ""
    active_prefixes: tuple[str, ...] = field(default=())

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_panels: dict[str, HomePanel] = {}
_nav: dict[str, NavItem] = {}


def register_panel(panel: HomePanel) -> None:
    _panels[panel.key] = panel


def register_nav(item: NavItem) -> None:
    _nav[item.key] = item


def _role_of(user) -> str:
    return "town_admin" if user.is_superuser else user.role


def panels_for(user) -> list[tuple[HomePanel, dict]]:
    role = _role_of(user)
    chosen = sorted((p for p in _panels.values() if role in p.roles), key=lambda p: (p.order, p.key))
    return [(panel, panel.context(user)) for panel in chosen]


def nav_for(user) -> list[NavItem]:
    role = _role_of(user)
    return sorted((i for i in _nav.values() if role in i.roles), key=lambda i: (i.order, i.key))


@dataclass(frozen=True)
class DemoLoader:
    """Loads one app's demo data; ``load`` takes the command's ``stdout`` and must be safe to run twice."""

    key: str
    load: Callable[..., None]
    order: int = 100


_demo_loaders: dict[str, DemoLoader] = {}


def register_demo(loader: DemoLoader) -> None:
    _demo_loaders[loader.key] = loader


def demo_loaders() -> list[DemoLoader]:
    return sorted(_demo_loaders.values(), key=lambda d: (d.order, d.key))
