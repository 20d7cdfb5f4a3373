"""Small filters for the dashboard's figures."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def change_badge(value: float | None):
    """A change against the year before, as "▼ 25.0%" (fewer: good) or "▲ 10.0%" (more: bad); "—" without one."""
    if value is None:
        return format_html('<span class="text-body-secondary" title="{}">—</span>', _("No figure to compare with"))
    # rounded before it is formatted: number_format cuts a float's decimals off (1/6 would read 16.6%)
    percent = round(value * 100, 1)
    if percent < 0:
        return format_html(
            '<span class="change change-down" data-change="{}">▼ {}%</span>', percent, number_format(-percent, 1)
        )
    if percent > 0:
        return format_html(
            '<span class="change change-up" data-change="{}">▲ {}%</span>', percent, number_format(percent, 1)
        )
    return mark_safe('<span class="change" data-change="0">0%</span>')  # a constant string  # nosec B308


@register.filter
def percent_badge(value: float | None):
    """A change already in percent (as the view rounds it)."""
    return change_badge(None if value is None else value / 100)


@register.filter
def yuan(value) -> str:
    """An amount in yuan with thousands separators and no decimals, as statistics tables write it: 1,234,500."""
    return f"{value or 0:,.0f}"
