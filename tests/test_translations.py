"""Every user-visible string exists in Spanish and English, and the catalogs match the
code: a new string without its translation fails here."""

from __future__ import annotations

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "atiende"


def _catalog(root: Path, language: str) -> polib.POFile:
    return polib.pofile(str(root / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", ["es", "en"])
def test_every_string_is_translated_and_compiled(language):
    # given
    catalog = _catalog(PACKAGE, language)
    mo_file = PACKAGE / "locale" / language / "LC_MESSAGES" / "django.mo"
    with mo_file.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    # then
    assert len(catalog) > 200
    assert [entry.msgid for entry in catalog.untranslated_entries()] == []
    assert [entry.msgid for entry in catalog.fuzzy_entries()] == []
    out_of_date = [entry.msgid for entry in catalog if not entry.msgid_plural
                   and compiled.gettext(entry.msgid) != entry.msgstr]
    assert out_of_date == [], "the .mo file is older than the .po file: run `make messages`"


def test_the_catalogs_hold_every_string_of_the_code(tmp_path):
    # given: a copy of the package whose catalog is extracted afresh (needs gettext)
    copy = tmp_path / "atiende"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "static"))

    # when
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "es", "--no-location",
         "--no-obsolete"],
        cwd=copy, check=True, capture_output=True,
        env={"DJANGO_SETTINGS_MODULE": "atiende.settings", "PATH": "/usr/bin:/bin",
             "DATA_DIR": str(tmp_path / "var"), "PYTHONPATH": str(PACKAGE.parent)},
    )

    # then
    fresh = {entry.msgid for entry in _catalog(copy, "es")}
    kept = {entry.msgid for entry in _catalog(PACKAGE, "es")}
    assert sorted(fresh - kept) == [], "new strings: run `make messages` and translate them"
