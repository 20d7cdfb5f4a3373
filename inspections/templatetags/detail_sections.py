from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from inspections.sections import sections_for

register = template.Library()


@register.simple_tag(takes_context=True)
def detail_sections(context, page: str, obj):
    """The sections other apps registered for this page, each rendered with its own context."""
    request = context["request"]
    parts = []
    for section in sections_for(page):
        extra = section.context(request, obj)
        if extra is None:
            continue
        parts.append(render_to_string(section.template, {page: obj, **extra}, request=request))
    return mark_safe("".join(parts))  # noqa: S308 - templates rendered with autoescaping  # nosec B308 B703
