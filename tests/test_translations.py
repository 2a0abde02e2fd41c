"""Every message of the Spanish catalogues is translated and none is fuzzy (issue 17): an
untranslated msgid shows English to a Colombian merchant, a fuzzy one is ignored by gettext."""

import ast
import re
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
