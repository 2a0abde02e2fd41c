#!/usr/bin/env python3
"""The two set-up commands of README.md, for a fresh machine with only Python 3.11+.

    python3 dev.py run    # the app with demo data on http://127.0.0.1:8000
    python3 dev.py test   # the whole test suite

Both create .venv/ (once, and again when pyproject.toml changes), and with no
DATABASE_URL / REDIS_URL set start an embedded PostgreSQL and Redis in var/.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"


def say(text: str) -> None:
    print(f"==> {text}", flush=True)


def ensure_venv(extras: str) -> None:
    """Creates .venv and installs the project's dependencies when pyproject.toml changed."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = VENV / f".installed-{digest}-{extras or 'app'}"
    # The test extras include every app dependency: after `test`, `run` needs nothing more.
    if stamp.exists() or (not extras and (VENV / f".installed-{digest}-test").exists()):
        return
    if not PYTHON.exists():
        say("creating .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    say(f"installing dependencies ({extras or 'app'})")
    subprocess.run([PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    target = f".[{extras}]" if extras else "."
    subprocess.run([PYTHON, "-m", "pip", "install", "--quiet", "-e", target], check=True, cwd=ROOT)
    for old in VENV.glob(".installed-*"):
        if not old.name.startswith(f".installed-{digest}-"):
            old.unlink()
    stamp.touch()


def environment(settings: str) -> dict:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", settings)
    env.setdefault("XDG_RUNTIME_DIR", "/tmp")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], check=True, cwd=ROOT, env=env)


def ensure_chromium() -> None:
    """The browser tests drive Debian's Chromium; install it when it is missing."""
    if shutil.which("chromium") or Path("/usr/bin/chromium").exists():
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        sys.exit("The browser tests need Chromium: install Debian's `chromium` package (apt-get).")
    say("installing Chromium (Debian package) for the browser tests")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium", "fonts-dejavu-core"], check=True, env=env)


def run() -> None:
    ensure_venv("")
    env = environment("ratings_inbox.settings.base")
    say("preparing the database")
    manage(env, "bootstrap_db")
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "seed_demo", "--if-empty")
    say("starting Celery worker and beat")
    celery = [str(VENV / "bin" / "celery"), "-A", "ratings_inbox"]
    data_dir = Path(env.get("DATA_DIR") or ROOT / "var")
    workers = [
        subprocess.Popen([*celery, "worker", "--loglevel", "WARNING", "--concurrency", "2"], cwd=ROOT, env=env),
        subprocess.Popen(
            [*celery, "beat", "--loglevel", "WARNING", "--schedule", str(data_dir / "celerybeat-schedule")],
            cwd=ROOT, env=env,
        ),
    ]
    say("serving on http://127.0.0.1:8000 (Ctrl-C stops everything)")
    try:
        subprocess.run([PYTHON, "manage.py", "runserver", "127.0.0.1:8000"], cwd=ROOT, env=env)
    except KeyboardInterrupt:
        pass
    finally:
        for process in workers:
            process.send_signal(signal.SIGTERM)
        for process in workers:
            process.wait(timeout=20)


def test(args: list[str]) -> int:
    ensure_venv("test")
    ensure_chromium()
    env = environment("ratings_inbox.settings.test")
    manage(env, "bootstrap_db")
    return subprocess.run([PYTHON, "-m", "pytest", *args], cwd=ROOT, env=env).returncode


def main() -> None:
    command, *rest = sys.argv[1:] or ["help"]
    if command == "run":
        run()
    elif command == "test":
        sys.exit(test(rest))
    elif command == "setup":
        ensure_venv("test")
    else:
        print(__doc__)
        sys.exit(0 if command == "help" else 2)


if __name__ == "__main__":
    main()
