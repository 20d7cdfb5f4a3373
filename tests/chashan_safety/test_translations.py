"""The Chinese catalog is complete and its compiled form is current.

Source strings are English; the interface defaults to Simplified Chinese. A string marked for
translation without a Chinese translation, or a .po edited without recompiling the .mo, fails here.
"""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
ZH_PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
ZH_MO = ZH_PO.with_suffix(".mo")


def _source_dirs() -> list[str]:
    """The project's own apps (every one in INSTALLED_APPS that lives in this folder) and the templates."""
    from django.apps import apps

    own = [config.name for config in apps.get_app_configs() if Path(config.path).parent == ROOT]
    return [*own, "templates"]


def _catalog() -> polib.POFile:
    return polib.pofile(str(ZH_PO))


def test_every_string_in_the_chinese_catalog_is_translated():
    catalog = _catalog()
    untranslated = [entry.msgid for entry in catalog if not entry.obsolete and not entry.translated()]
    assert untranslated == []


def test_the_chinese_catalog_has_no_fuzzy_entries():
    assert [entry.msgid for entry in _catalog().fuzzy_entries()] == []


def test_the_compiled_chinese_catalog_matches_the_po_file():
    with ZH_MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in _catalog():
        if entry.obsolete:
            continue
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            got = compiled.ngettext(key, entry.msgid_plural, 1)
            want = entry.msgstr_plural[0]
        else:
            got = compiled.gettext(key)
            want = entry.msgstr
        if got != want:
            stale.append(entry.msgid)
    assert stale == [], "run `manage.py compilemessages`: the .mo does not match the .po"


@pytest.mark.skipif(
    shutil.which("xgettext") is None and not os.environ.get("CI"),
    reason="needs GNU gettext (xgettext) to extract strings; CI installs it",
)
def test_every_string_marked_for_translation_is_in_the_chinese_catalog(tmp_path):
    # extract into a copy of the sources, so the committed catalog is left as it is
    for name in [*_source_dirs(), "manage.py"]:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
        elif source.exists():
            shutil.copy2(source, tmp_path / name)
    (tmp_path / "locale").mkdir()
    env = {**os.environ, "CHASHAN_VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    extracted = {entry.msgid for entry in polib.pofile(str(tmp_path / "locale/zh_Hans/LC_MESSAGES/django.po"))}
    translated = {entry.msgid for entry in _catalog() if entry.translated()}
    missing = sorted(extracted - translated)
    assert missing == [], "run `make messages` and translate these strings"


def _said_twice(text: str) -> bool:
    half, rest = divmod(len(text), 2)
    return len(text) >= 10 and not rest and text[:half] == text[half:]


def test_no_chinese_translation_says_its_sentence_twice():
    # a plural entry once had its singular and plural translations run together into msgstr[0]
    doubled = [
        entry.msgid
        for entry in _catalog()
        if not entry.obsolete and any(_said_twice(text) for text in [entry.msgstr, *entry.msgstr_plural.values()])
    ]
    assert doubled == []
