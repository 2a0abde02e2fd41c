"""Imports point one way (issue 12, docs/architecture.md): .importlinter's contracts hold.

No contract excuses an import (no ignore_imports): anything that points upward, or closes a
cycle between apps, fails here.
"""

from __future__ import annotations

from configparser import ConfigParser
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".importlinter"


def test_every_import_points_downward():
    assert lint_imports(config_filename=str(CONFIG), no_cache=True) == 0


def test_an_upward_import_fails_the_check(tmp_path):
    """With customers placed above ratings, ratings' imports of customers point upward: broken."""
    text = CONFIG.read_text()
    order = "    ratings\n    notifications\n    customers\n"
    assert order in text
    config = tmp_path / "importlinter.ini"
    config.write_text(text.replace(order, "    customers\n    notifications\n    ratings\n"))
    assert lint_imports(config_filename=str(config), no_cache=True) == 1


def test_no_import_is_excused():
    """The composing reads live in inbox, above the apps they show: none is an exception to the order."""
    config = ConfigParser()
    config.read(CONFIG)
    assert [name for name in config.sections() if config.has_option(name, "ignore_imports")] == []
