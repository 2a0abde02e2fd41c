"""Every message of the Spanish catalogues is translated and none is fuzzy (issue 17): an
untranslated msgid shows English to a Colombian merchant, a fuzzy one is ignored by gettext."""

import ast
import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(p for p in ROOT.glob("**/locale/es/LC_MESSAGES/django.po") if ".venv" not in p.parts)
_LINE = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$')


def entries(path: Path):
    """(msgid, [msgstr…], fuzzy) of each live entry; obsolete (#~) entries are not messages."""
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields, key, fuzzy = {}, None, False
        for line in block.splitlines():
            if line.startswith("#,"):
                fuzzy = fuzzy or "fuzzy" in line
            elif (match := _LINE.match(line)) is not None:
                key = match.group(1)
                fields[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key is not None:
                fields[key] += ast.literal_eval(line)
        if fields.get("msgid"):
            yield fields["msgid"], [v for k, v in fields.items() if k.startswith("msgstr")], fuzzy


def test_there_are_catalogues():
    assert {p.relative_to(ROOT).parts[0] for p in CATALOGUES} >= {"locale"}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_spanish_message_is_translated_and_none_fuzzy(path):
    problems = [("fuzzy" if fuzzy else "untranslated", msgid)
                for msgid, translations, fuzzy in entries(path) if fuzzy or not all(translations)]
    assert problems == []


def catalogue(path: Path) -> dict:
    """The .po's messages keyed as gettext keys them in a .mo: 'context\\x04msgid', (msgid, n) for plurals."""
    messages = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields, key = {}, None
        for line in block.splitlines():
            if (match := _LINE.match(line)) is not None:
                key = match.group(1)
                fields[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key is not None:
                fields[key] += ast.literal_eval(line)
        if not fields.get("msgid"):
            continue
        msgid = fields["msgid"] if "msgctxt" not in fields else f"{fields['msgctxt']}\x04{fields['msgid']}"
        if "msgid_plural" in fields:
            messages.update({(msgid, int(k[7:-1])): v for k, v in fields.items() if k.startswith("msgstr[")})
        else:
            messages[msgid] = fields["msgstr"]
    return messages


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_compiled_catalogue_says_what_the_po_says(path):
    """The .mo served at run time is compilemessages' output of this .po (no stale or missing Spanish)."""
    with path.with_suffix(".mo").open("rb") as compiled:
        served = gettext.GNUTranslations(compiled)._catalog
    assert {k: v for k, v in served.items() if k != ""} == catalogue(path)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="makemessages needs GNU gettext")
def test_makemessages_finds_no_message_missing_from_the_catalogues(tmp_path):
    """A string marked for translation but never extracted would show in English: makemessages on a copy
    of the code (as README "Development" says) adds nothing."""
    for item in ROOT.iterdir():
        if item.name not in {".venv", ".git", "var", "docs", "static", "tests", "bench", "node_modules"}:
            (shutil.copytree if item.is_dir() else shutil.copy2)(item, tmp_path / item.name)
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "es", "--no-obsolete", "--ignore=tests",
                    "--ignore=bench", "--ignore=var", "--ignore=docs", "--ignore=static"],
                   cwd=tmp_path, check=True, capture_output=True)
    for path in CATALOGUES:
        extracted = set(catalogue(tmp_path / path.relative_to(ROOT)))
        assert extracted - set(catalogue(path)) == set(), path.relative_to(ROOT)
