"""No code written twice (issue 12): pylint's duplicate-code check finds no pair of places
sharing six or more lines (comments, docstrings, imports and signatures aside) in the apps,
the project package, the bench and the tests. Migrations are left out: each is a frozen record
of the schema at its step, and they repeat one another's shape by design.

The options are pyproject.toml's [tool.pylint.*], so `pylint <package>` from the checkout
reports the same.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _packages() -> list[str]:
    """Every first-party package of the checkout: the apps (a folder with apps.py), the project
    package, the bench and the tests."""
    apps = sorted(path.parent.name for path in ROOT.glob("*/apps.py"))
    return [*apps, "ratings_inbox", "bench", "tests"]


def _pylint(*targets: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pylint", f"--rcfile={ROOT / 'pyproject.toml'}", *targets],
        cwd=cwd, capture_output=True, text=True, timeout=600,
    )


@pytest.mark.slow
def test_no_code_is_written_twice():
    result = _pylint(*_packages(), cwd=ROOT)
    assert "R0801" not in result.stdout, result.stdout
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_copied_function_fails_the_check(tmp_path):
    """The check bites: a function copied into a second module is reported."""
    body = "\n".join(f"    total = total + {n} * value" for n in range(8))
    function = f"def {{name}}(value):\n    total = 0\n{body}\n    return total\n"
    package = tmp_path / "copies"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "one.py").write_text(function.format(name="first"))
    (package / "two.py").write_text(function.format(name="second"))
    result = _pylint("copies", cwd=tmp_path)
    assert "R0801" in result.stdout and "copies.one" in result.stdout, result.stdout
