"""docker-compose.yml runs the production shape (no Docker engine here: checked as data)."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def load():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_every_service_of_the_production_shape():
    services = load()["services"]
    assert {"db", "redis", "web", "worker", "beat", "mail", "migrate"} <= set(services)
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert "gunicorn" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "ratings_inbox", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "ratings_inbox", "beat"]


def test_app_services_share_one_configuration_by_the_documented_variables():
    services = load()["services"]
    for name in ("web", "worker", "beat", "migrate"):
        env = services[name]["environment"]
        for variable in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "PUBLIC_BASE_URL", "SECRET_KEY",
                         "DEBUG", "ALLOWED_HOSTS"):
            assert variable in env, (name, variable)
        assert env["EMAIL_URL"].startswith("smtp://mail:")
        # db, or the Citus coordinator with DATABASE_HOST (docs/scaling.md)
        assert "@${DATABASE_HOST:-db}:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"].startswith("redis://redis:6379")


def test_migrations_run_with_the_role_bootstrap_before_the_app_starts():
    services = load()["services"]
    assert "bootstrap_db" in " ".join(services["migrate"]["command"])
    assert "migrate" in " ".join(services["migrate"]["command"])
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_dockerfile_builds_from_the_project_and_serves_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install" in dockerfile and "gunicorn" in dockerfile
