"""Template tags of the portal's frame."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils.translation import get_language

from chashan_safety.registry import nav_generation, nav_links_for_role, role_of

register = template.Library()


@lru_cache(maxsize=512)
def _nav_html(role: str, language: str, script_prefix: str, active: str | None, generation: int) -> str:
    entries = nav_links_for_role(role, script_prefix)
    return get_template("includes/_nav.html").render({"nav_entries": entries, "nav_active": active})


@register.simple_tag(takes_context=True)
def nav_links(context) -> str:
    """The navigation's links for the signed-in user, the current one marked.

    They depend only on the role, the language and which item is current, and every page draws
    them: each combination is rendered once per process.
    """
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return ""
    request = context.get("request")
    active = "home" if request is not None and request.path == "/" else context.get("nav_active")
    return _nav_html(role_of(user), get_language(), get_script_prefix(), active, nav_generation())
