"""docker-compose.yml's production shape for scaling out (SCALE-1, SCALE-3): checked by loading the
YAML (no images can be pulled here), and with `docker compose config` / `docker-compose config`
where one is installed."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def environment(service: dict) -> dict:
    return {key: str(value) for key, value in service["environment"].items()}


def test_app_processes_reach_postgres_through_pgbouncer_in_transaction_mode_scale3(compose):
    services = compose["services"]
    for name in ("web", "worker", "beat"):
        assert environment(services[name])["DATABASE_POOLER"] == "pgbouncer:6432", name
    assert environment(services["migrate"])["DATABASE_POOLER"] == "", "migrations connect to PostgreSQL itself"
    ini = configparser.ConfigParser()
    ini.read_string((ROOT / "deploy/pgbouncer/pgbouncer.ini.in").read_text())
    assert ini["pgbouncer"]["pool_mode"] == "transaction" and ini["pgbouncer"]["listen_port"] == "6432"
    users = (ROOT / "deploy/pgbouncer/userlist.txt").read_text()
    app_env = environment(services["web"])
    assert f'"{app_env["DATABASE_APP_ROLE"]}"' in users and f'"{app_env["DATABASE_SWEEPER_ROLE"]}"' in users
    assert "pgbouncer.ini.in" in " ".join(services["pgbouncer"]["command"])


def test_citus_profile_has_a_coordinator_and_two_workers_of_the_official_image_scale2(compose):
    services = compose["services"]
    citus = {name: s for name, s in services.items() if "citus" in s.get("profiles", [])}
    assert set(citus) == {"citus-coordinator", "citus-worker-1", "citus-worker-2", "citus-nodes"}
    assert {s["image"].split(":")[0] for s in citus.values()} == {"citusdata/citus"}
    assert "citus_add_node" in " ".join(citus["citus-nodes"]["command"])
    assert "distribute --if-citus" in " ".join(services["migrate"]["command"])
    assert services["migrate"]["depends_on"]["citus-nodes"]["required"] is False


def test_one_shot_migrate_job_and_health_checks_scale1(compose):
    services = compose["services"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert services[name]["healthcheck"]["test"], name
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    assert "/run/beat/celerybeat-schedule" in " ".join(services["beat"]["healthcheck"]["test"])


def test_one_beat_schedule_in_tmpfs_and_a_broker_that_never_evicts_scale1(compose):
    services = compose["services"]
    beat = services["beat"]
    assert "/run/beat/celerybeat-schedule" in beat["command"] and beat["tmpfs"][0].startswith("/run/beat")
    assert "deploy" not in beat or beat["deploy"].get("replicas", 1) == 1
    redis = services["redis"]["command"]
    assert redis[redis.index("--maxmemory-policy") + 1] == "noeviction"


def test_gunicorn_has_timeouts_and_a_json_access_log_scale1(compose):
    command = compose["services"]["web"]["command"]
    for flag in ("--timeout", "--graceful-timeout", "--keep-alive", "--access-logfile"):
        assert flag in command, flag
    assert "request_id" in command[command.index("--access-logformat") + 1]


def _compose_tool() -> list[str] | None:
    """`docker compose` (v2), else Debian's docker-compose 1.29, else None."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, timeout=30)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


@pytest.mark.skipif(_compose_tool() is None, reason="neither docker compose nor docker-compose here")
def test_docker_compose_accepts_the_file_scale1(tmp_path, compose):
    """Compose v1 predates `depends_on: required` (the migrate job's optional wait for the Citus
    nodes): it gets a copy without that key, the rest of the file as it is."""
    tool = _compose_tool()
    path = ROOT / "docker-compose.yml"
    if tool == ["docker-compose"]:
        for dependency in compose["services"]["migrate"]["depends_on"].values():
            dependency.pop("required", None)
        path = tmp_path / "docker-compose.yml"
        path.write_text(yaml.safe_dump(compose))
        (tmp_path / "deploy").symlink_to(ROOT / "deploy")
    result = subprocess.run([*tool, "-f", str(path), "--profile", "citus", "config", "--quiet"], cwd=path.parent,
                            capture_output=True, text=True, timeout=60,
                            env={"SECRET_KEY": "k" * 50, "PATH": "/usr/local/bin:/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
