"""Configuration from KBM_* variables; invalid settings end with one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kbm_map.config import load_config
from kbm_map.errors import ConfigError


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run `python -m kbm_map` with extra environment variables."""
    environment = {**os.environ, "KBM_ENV": "development", **env}
    return subprocess.run(
        [sys.executable, "-m", "kbm_map", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )


def test_defaults_use_a_spatialite_file_in_the_instance_folder(tmp_path):
    config = load_config(str(tmp_path), {"KBM_ENV": "development"})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'kbm-map.sqlite'}"
    assert config["SEARCH_INDEX_DIR"] == str(tmp_path / "search-index")
    assert config["LANGUAGES"] == ("de", "en", "ar", "uk", "tr")


def test_development_secret_is_created_once_and_kept(tmp_path):
    first = load_config(str(tmp_path), {"KBM_ENV": "development"})["SECRET_KEY"]
    second = load_config(str(tmp_path), {"KBM_ENV": "development"})["SECRET_KEY"]
    assert first == second and len(first) == 64


def test_production_needs_a_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="KBM_SECRET_KEY is not set"):
        load_config(str(tmp_path), {"KBM_ENV": "production", "SECRET_KEY": ""})


@pytest.mark.parametrize("key", ["x", "k" * 31])
def test_production_refuses_a_short_secret_key(tmp_path, key):
    with pytest.raises(ConfigError, match=f"KBM_SECRET_KEY has {len(key)} characters"):
        load_config(str(tmp_path), {"KBM_ENV": "production", "SECRET_KEY": key})


def test_production_accepts_a_32_character_key_and_development_any(tmp_path):
    production = load_config(str(tmp_path), {"KBM_ENV": "production", "SECRET_KEY": "k" * 32})
    assert production["SECRET_KEY"] == "k" * 32
    development = load_config(str(tmp_path), {"KBM_ENV": "development", "SECRET_KEY": "x"})
    assert development["SECRET_KEY"] == "x"


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("short", "kbm-map: KBM_SECRET_KEY has 5 characters; production needs at least 32"),
        ("", "kbm-map: KBM_SECRET_KEY is not set"),
    ],
)
def test_gunicorn_master_exits_at_once_with_the_message(tmp_path, key, message):
    """A real gunicorn with the shipped settings stops in its master instead of respawning."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    environment = {
        **os.environ,
        "KBM_ENV": "production",
        "KBM_SECRET_KEY": key,
        "KBM_INSTANCE_PATH": str(tmp_path),
        "KBM_BIND": "127.0.0.1:0",
        "KBM_WORKERS": "1",
    }
    started = time.monotonic()
    result = subprocess.run(
        [str(gunicorn), "-c", "python:kbm_map.gunicorn_conf", "wsgi:app"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=30,
    )
    assert result.returncode == 1
    assert time.monotonic() - started < 15
    assert message in result.stderr
    assert "Booting worker" not in result.stderr
    assert "Traceback" not in result.stderr


def test_plain_postgresql_url_gets_the_psycopg_driver(tmp_path):
    config = load_config(
        str(tmp_path),
        {"KBM_ENV": "development", "SQLALCHEMY_DATABASE_URI": "postgresql://u:p@h/db"},
    )
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@h/db"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SQLALCHEMY_DATABASE_URI": "not a url"}, "is not a database URL"),
        (
            {"SQLALCHEMY_DATABASE_URI": "mysql://u@h/db"},
            "supports SQLite/SpatiaLite and PostgreSQL",
        ),
        (
            {"SQLALCHEMY_DATABASE_URI": "sqlite:////no/such/folder/x.sqlite"},
            "does not exist or is not writable",
        ),
        ({"MAP_CENTER": "50.5"}, "KBM_MAP_CENTER must be 2 comma-separated numbers"),
        ({"MAP_ZOOM": "twelve"}, "KBM_MAP_ZOOM must be a whole number"),
        ({"REGION_BBOX": "1,2,3"}, "KBM_REGION_BBOX must be 4"),
        ({"LANGUAGES": "de fr"}, "KBM_LANGUAGES contains fr"),
        (
            {"BABEL_DEFAULT_LOCALE": "tr", "LANGUAGES": "de en"},
            "KBM_DEFAULT_LANGUAGE 'tr' is not one of",
        ),
        ({"KBM_ENV": "staging"}, "KBM_ENV must be"),
    ],
)
def test_invalid_settings_are_explained(tmp_path, overrides, message):
    with pytest.raises(ConfigError, match=message):
        load_config(str(tmp_path), {"KBM_ENV": "development", **overrides})


def test_unwritable_instance_folder_is_explained(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(ConfigError, match="instance folder .* is not writable"):
        load_config(str(blocker / "instance"), {"KBM_ENV": "development"})


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KBM_DATABASE_URL": "oracle://x@y/z"}, "Error: KBM_DATABASE_URL uses 'oracle'"),
        ({"KBM_ENV": "production", "KBM_SECRET_KEY": ""}, "Error: KBM_SECRET_KEY is not set"),
        (
            {"KBM_INSTANCE_PATH": "/proc/kbm-map"},
            "Error: The instance folder /proc/kbm-map is not writable",
        ),
    ],
)
def test_cli_reports_bad_configuration_in_one_line(env, message):
    result = run_cli("init-db", **env)
    assert result.returncode == 2
    assert result.stderr.strip().startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_cli_reports_missing_spatialite_in_one_line(tmp_path):
    result = run_cli(
        "init-db",
        KBM_DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite'}",
        KBM_SPATIALITE_LIBRARY="/nonexistent/mod_spatialite",
    )
    assert result.returncode == 1
    assert "install the Debian package libsqlite3-mod-spatialite" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_cli_reports_unreachable_database_in_one_line():
    result = run_cli("init-db", KBM_DATABASE_URL="postgresql://kbm:kbm@127.0.0.1:1/nowhere")
    assert result.returncode == 1
    assert result.stderr.startswith(
        "Error: Cannot connect to the database postgresql+psycopg://kbm:***@"
    )
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
