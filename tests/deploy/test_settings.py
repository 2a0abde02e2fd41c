"""SEC-4: no shipped secret key, and the secure defaults with DEBUG off, each adjustable."""

from __future__ import annotations

import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured

from ratings_inbox.settings.base import dev_secret_key, proxy_ssl_header, secret_key, security_settings

ROOT = Path(__file__).resolve().parents[2]
SECURITY_VARIABLES = ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
                      "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
                      "SECURE_PROXY_SSL_HEADER", "CSRF_TRUSTED_ORIGINS", "SECURE_REFERRER_POLICY")


def manage(*args: str, **variables: str) -> subprocess.CompletedProcess:
    """manage.py in a fresh process with the production settings and nothing set but `variables`
    (and this test run's database and Redis, so the settings find their servers)."""
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "ratings_inbox.settings.base",
           "XDG_RUNTIME_DIR": os.environ.get("XDG_RUNTIME_DIR", "/tmp"), **variables}
    for passed in ("DATABASE_URL", "REDIS_URL", "DATA_DIR", "HOME"):
        if os.environ.get(passed):
            env[passed] = os.environ[passed]
    # Production takes both servers from the environment (SCALE-1); the checks run here connect to
    # neither, so a run on the embedded servers names servers that need not exist.
    env.setdefault("DATABASE_URL", "postgres://ratings@127.0.0.1:1/ratings")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:1/0")
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def clean_security_env(monkeypatch):
    for variable in (*SECURITY_VARIABLES, "SECRET_KEY"):
        monkeypatch.delenv(variable, raising=False)
    return monkeypatch


def test_check_deploy_is_clean_with_only_debug_key_and_hosts_set_sec4():
    result = manage("check", "--deploy", "--fail-level", "WARNING",
                    DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="example.com")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_debug_off_without_secret_key_refuses_to_start_sec4():
    result = manage("check", DEBUG="0", ALLOWED_HOSTS="example.com")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr, result.stderr


def test_secret_key_comes_from_the_environment_and_is_required_without_debug_sec4(clean_security_env, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is not set"):
        secret_key(debug=False, data_dir=tmp_path)
    assert not (tmp_path / "secret_key").exists()
    clean_security_env.setenv("SECRET_KEY", "from-the-environment")
    assert secret_key(debug=False, data_dir=tmp_path) == "from-the-environment"


def test_development_key_is_generated_once_readable_by_its_owner_only_sec4(clean_security_env, tmp_path):
    key = secret_key(debug=True, data_dir=tmp_path / "var")
    path = tmp_path / "var" / "secret_key"
    assert len(key) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert dev_secret_key(tmp_path / "var") == key


def test_development_key_written_world_readable_before_is_made_private_sec4(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("an-older-key\n")
    path.chmod(0o644)
    assert dev_secret_key(tmp_path) == "an-older-key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_secure_defaults_are_on_without_debug_and_off_with_it_sec4(clean_security_env):
    production = security_settings(debug=False)
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] == 31536000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True and production["SECURE_HSTS_PRELOAD"] is True
    assert production["SESSION_COOKIE_SECURE"] is True and production["CSRF_COOKIE_SECURE"] is True
    assert production["SECURE_PROXY_SSL_HEADER"] is None
    assert production["CSRF_TRUSTED_ORIGINS"] == []
    assert production["SECURE_REFERRER_POLICY"] == "same-origin"
    development = security_settings(debug=True)
    assert development["SECURE_SSL_REDIRECT"] is False and development["SECURE_HSTS_SECONDS"] == 0
    assert development["SESSION_COOKIE_SECURE"] is False and development["CSRF_COOKIE_SECURE"] is False


def test_each_secure_default_is_adjustable_by_its_variable_sec4(clean_security_env):
    for variable, value in {
        "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "3600", "SECURE_HSTS_INCLUDE_SUBDOMAINS": "false",
        "SECURE_HSTS_PRELOAD": "no", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "off",
        "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO",
        "CSRF_TRUSTED_ORIGINS": "https://ratings.example.com, https://*.example.org",
        "SECURE_REFERRER_POLICY": "strict-origin-when-cross-origin",
    }.items():
        clean_security_env.setenv(variable, value)
    adjusted = security_settings(debug=False)
    assert adjusted["SECURE_SSL_REDIRECT"] is False
    assert adjusted["SECURE_HSTS_SECONDS"] == 3600
    assert adjusted["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False and adjusted["SECURE_HSTS_PRELOAD"] is False
    assert adjusted["SESSION_COOKIE_SECURE"] is False and adjusted["CSRF_COOKIE_SECURE"] is False
    assert adjusted["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert adjusted["CSRF_TRUSTED_ORIGINS"] == ["https://ratings.example.com", "https://*.example.org"]
    assert adjusted["SECURE_REFERRER_POLICY"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize(("value", "expected"), [
    ("", None), ("HTTP_X_FORWARDED_PROTO", ("HTTP_X_FORWARDED_PROTO", "https")),
    ("http_x_forwarded_ssl=on", ("HTTP_X_FORWARDED_SSL", "on")),
])
def test_proxy_ssl_header_is_a_header_name_and_optional_value_sec4(value, expected):
    assert proxy_ssl_header(value) == expected


def test_https_redirect_hsts_and_the_proxy_header_on_real_requests_sec4(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = client.get("/login/")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/login/"
    assert client.get("/healthz").status_code == 200  # the container health check speaks plain HTTP
    behind_proxy = client.get("/login/", headers={"X-Forwarded-Proto": "https"})
    assert behind_proxy.status_code == 200
    assert behind_proxy["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert behind_proxy["X-Frame-Options"] == "DENY"
    assert behind_proxy["X-Content-Type-Options"] == "nosniff"
    assert behind_proxy["Referrer-Policy"] == "same-origin"


def test_compose_and_image_ship_no_secret_key_and_run_without_debug_sec4():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for name in ("web", "worker", "beat", "migrate"):
        env = compose["services"][name]["environment"]
        assert env["SECRET_KEY"] == "${SECRET_KEY:?set SECRET_KEY}", name
        assert env["DEBUG"] == "false", name
        assert {"SECURE_PROXY_SSL_HEADER", "CSRF_TRUSTED_ORIGINS"} <= set(env), name
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "DEBUG=0" in dockerfile and "SECRET_KEY=" not in dockerfile
