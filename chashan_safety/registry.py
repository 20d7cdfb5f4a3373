"""Small registries through which the apps plug into the portal's shared pages.

``chashan_safety`` imports no app: each app registers its home-page panels and
navigation entries here from its ``AppConfig.ready()``, so that adding a panel
is one registration and imports keep pointing one way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from django.urls import get_script_prefix, reverse

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
        return _reverse_cached(self.url_name, get_script_prefix())


@dataclass(frozen=True)
class NavGroup:
    """A drop-down in the navigation that gathers the items naming it as their ``group``."""

    key: str
    label: str
    icon: str
    order: int = 100


@lru_cache(maxsize=256)
def _reverse_cached(url_name: str, script_prefix: str) -> str:
    # the navigation is drawn on every page: reverse each link once per URL prefix
    return reverse(url_name)


_panels: dict[str, HomePanel] = {}
_nav: dict[str, NavItem] = {}
_nav_groups: dict[str, NavGroup] = {}


def register_panel(panel: HomePanel) -> None:
    _panels[panel.key] = panel


#: bumped by every navigation registration: what was drawn from an older registry is stale
_nav_generation = 0


def nav_generation() -> int:
    return _nav_generation


def register_nav(item: NavItem) -> None:
    global _nav_generation
    _nav[item.key] = item
    _nav_generation += 1
    nav_links_for_role.cache_clear()


def register_nav_group(group: NavGroup) -> None:
    global _nav_generation
    _nav_groups[group.key] = group
    _nav_generation += 1
    nav_links_for_role.cache_clear()


def role_of(user) -> str:
    """The role whose panels and navigation a user gets (a superuser counts as ``town_admin``)."""
    return "town_admin" if user.is_superuser else user.role


def panels_for(user) -> list[tuple[HomePanel, dict]]:
    role = role_of(user)
    chosen = sorted((p for p in _panels.values() if role in p.roles), key=lambda p: (p.order, p.key))
    return [(panel, panel.context(user)) for panel in chosen]


def nav_for(user) -> list[NavItem]:
    return _nav_for_role(role_of(user))


def _nav_for_role(role: str) -> list[NavItem]:
    return sorted((i for i in _nav.values() if role in i.roles), key=lambda i: (i.order, i.key))


def nav_entries_for(user) -> list[NavItem | tuple[NavGroup, list[NavItem]]]:
    """The navigation as shown: items alone, and groups (with their items) as drop-downs.

    A group with a single item for this user is shown as that item alone.
    """
    return _nav_entries_for_role(role_of(user))


def _nav_entries_for_role(role: str) -> list[NavItem | tuple[NavGroup, list[NavItem]]]:
    entries: list = []
    grouped: dict[str, list[NavItem]] = {}
    for item in _nav_for_role(role):
        group = _nav_groups.get(item.group)
        if group is None:
            entries.append((item.order, item))
        else:
            if item.group not in grouped:
                grouped[item.group] = []
                entries.append((group.order, item.group))
            grouped[item.group].append(item)
    result = []
    for _order, entry in sorted(entries, key=lambda e: e[0]):
        if isinstance(entry, str):
            items = grouped[entry]
            result.append(items[0] if len(items) == 1 else (_nav_groups[entry], items))
        else:
            result.append(entry)
    return result


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


@dataclass(frozen=True)
class NavLink:
    """A navigation item as drawn: its address resolved once."""

    key: str
    label: str
    icon: str
    url: str
    prefixes: tuple[str, ...]


@lru_cache(maxsize=64)
def nav_links_for_role(role: str, script_prefix: str) -> tuple:
    """``nav_entries_for`` a role with every address resolved: the same for every request of that role.

    Items become ``NavLink``; groups stay ``(NavGroup, [NavLink, …])``. The labels stay lazy, so each
    request shows them in its own language.
    """

    def link(item: NavItem) -> NavLink:
        url = _reverse_cached(item.url_name, script_prefix)
        return NavLink(item.key, item.label, item.icon, url, item.active_prefixes or (url,))

    return tuple(
        link(entry) if isinstance(entry, NavItem) else (entry[0], [link(item) for item in entry[1]])
        for entry in _nav_entries_for_role(role)
    )
