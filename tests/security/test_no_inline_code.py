"""No template brings back what the Content-Security-Policy refuses.

The policy allows scripts and styles only from files under static/. A browser would refuse an inline
<script>, an onclick="…" handler, a javascript: link, htmx's hx-on (it needs eval), a style="…"
attribute or a <style> element: the page would quietly lose that behaviour or look. This test reads
every template so that none comes back. Templates under a pdf/ folder are exempt from the style
rules: WeasyPrint renders them into PDFs and no browser ever receives them as a page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
OWN_SCRIPTS = sorted(p for p in (Path(settings.BASE_DIR) / "static").glob("**/*.js") if "vendor" not in p.parts)

# a start tag; Django's {% %} and {{ }} inside it never hold a ">"
TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
HANDLER = re.compile(r"(?:^|[\s\"'%}])(on[a-z]+)\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"(?:^|[\s\"'%}])style\s*=", re.I)
SRC = re.compile(r"(?:^|\s)src\s*=", re.I)
JSON_TYPE = re.compile(r"""type\s*=\s*["']application/(?:ld\+)?json["']""", re.I)
DJANGO_COMMENT = re.compile(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S)


def inline_code(text: str, *, styles: bool = True) -> list[str]:
    """What the policy would refuse in one template's text, as short descriptions."""
    found = []
    text = DJANGO_COMMENT.sub("", text)
    for match in TAG.finditer(text):
        name, attributes = match.group(1).lower(), match.group(2)
        if name == "script" and not SRC.search(attributes) and not JSON_TYPE.search(attributes):
            found.append(f"inline <script{attributes}>")
        found += [f"{handler}= on <{name}>" for handler in HANDLER.findall(attributes)]
        if re.search(r"hx-on", attributes, re.I):
            found.append(f"hx-on on <{name}>")
        if styles and STYLE_ATTRIBUTE.search(attributes):
            found.append(f"style= on <{name}>")
        if styles and name == "style":
            found.append("<style> element")
    if re.search(r"javascript\s*:", text, re.I):
        found.append("javascript: URL")
    return found


def template_files() -> list[Path]:
    return sorted(TEMPLATES_DIR.glob("**/*.html"))


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<script type="text/javascript">go()</script>',
        '<button type="button" onclick="window.print()">',
        '<form method="post" onsubmit="return confirm(this.dataset.confirm)">',
        '<body onload="start()">',
        '<a href="javascript:void(0)">',
        '<button hx-post="/x" hx-on:click="alert(1)">',
        '<div class="progress-bar" style="width: {{ percent }}%">',
        "<style>.a { color: red; }</style>",
        '<span{% if a %} class="a"{% endif %} onclick="x()">',
    ],
)
def test_the_check_finds_each_kind_of_inline_code(snippet):
    assert inline_code(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        "<script src=\"{% static 'js/portal.js' %}\"></script>",
        '<script type="application/json" id="chart-data">{"a": 1}</script>',
        '<button type="button" data-print data-confirm="Archive?">',
        '<div class="progress-bar progress-pct-{{ percent }}">',
        '<p class="text-pre-line">Online, once and for all: a person\'s tone=calm</p>',
        '<a href="{% url \'home\' %}" data-testid="one">',
        "{# no <style> here: htmx's rules are in portal.css; works without JavaScript: #}",
    ],
)
def test_the_check_lets_files_data_and_words_through(snippet):
    assert inline_code(snippet) == []


def test_the_templates_are_there_to_check():
    assert len(template_files()) > 100
    assert (TEMPLATES_DIR / "base.html") in template_files()


def test_no_template_has_inline_script_handlers_or_styles():
    offences = {}
    for path in template_files():
        relative = path.relative_to(TEMPLATES_DIR)
        found = inline_code(path.read_text(encoding="utf-8"), styles="pdf" not in relative.parts)
        if found:
            offences[str(relative)] = found
    assert offences == {}


def test_htmx_is_configured_for_the_policy():
    base = (TEMPLATES_DIR / "base.html").read_text(encoding="utf-8")
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", base)
    assert config, "base.html sets htmx's configuration"
    assert '"allowEval": false' in config.group(1)
    assert '"includeIndicatorStyles": false' in config.group(1)
    # the configuration must be in <head> before htmx reads it
    assert base.index("htmx-config") < base.index("htmx.min.js")


@pytest.mark.parametrize("path", OWN_SCRIPTS, ids=lambda p: p.name)
def test_no_script_of_ours_evaluates_strings_or_writes_style_attributes(path):
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"\beval\s*\(|new\s+Function\s*\(|set(?:Timeout|Interval)\s*\(\s*[\"']", text)
    assert not re.search(r"setAttribute\(\s*[\"']style[\"']|\.cssText\s*=|<style|\sstyle=", text)
