"""Imports point one way (issue 12, docs/architecture.md): .importlinter's contracts hold.

The contracts list the upward imports that remain as exceptions; anything new that points
upward, or closes a cycle between apps, fails here.
"""

from __future__ import annotations

from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".importlinter"


def test_every_import_points_downward():
    assert lint_imports(config_filename=str(CONFIG), no_cache=True) == 0


def test_an_upward_import_fails_the_check(tmp_path):
    """Without its exception, a known upward import (ratings -> autoreply) breaks the contract."""
    text = CONFIG.read_text()
    exception = "    ratings.services -> autoreply.services\n"
    assert exception in text
    config = tmp_path / "importlinter.ini"
    config.write_text(text.replace(exception, ""))
    assert lint_imports(config_filename=str(config), no_cache=True) == 1
