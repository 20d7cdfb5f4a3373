"""Sections that apps above this one add to the finding and inspection pages.

A finding's page shows its rectification plan and its 回头看 once an app that knows them is
installed; this app does not import it. The app registers a ``DetailSection`` from its
``AppConfig.ready()``; the pages draw the registered sections with ``{% detail_sections %}``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

FINDING = "finding"
INSPECTION = "inspection"


@dataclass(frozen=True)
class DetailSection:
    key: str
    #: ``FINDING`` or ``INSPECTION``
    page: str
    template: str
    #: called with the request and the page's object; returns the section's context, or None to show nothing
    context: Callable[..., dict | None]
    order: int = 100


_sections: dict[str, DetailSection] = {}


def register_detail_section(section: DetailSection) -> None:
    _sections[section.key] = section


def sections_for(page: str) -> list[DetailSection]:
    return sorted((s for s in _sections.values() if s.page == page), key=lambda s: (s.order, s.key))
