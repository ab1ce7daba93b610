"""Several app servers on one PostgreSQL with the postgres search backend share no disk.

Each process has its own instance folder. A write in one (an import, a staff edit) is found
by the search of another at once, because the index lives in the database and commits with
the data.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
SERVE = """
import sys
from werkzeug.serving import run_simple
from kbm_map import create_app
run_simple("127.0.0.1", int(sys.argv[1]), create_app(), threaded=True)
"""
RENAME = """
from sqlalchemy import select
from kbm_map import create_app
from kbm_map.extensions import db
from kbm_map.models import Location
from kbm_map.services.locations import update_location
with create_app().app_context():
    school = db.session.scalar(select(Location).where(Location.name == "Grundschule am Fluss"))
    update_location(school, {"name": "Grundschule am Mühlbach"})
"""
SCHOOLS = "\n".join(
    [
        "id,official_id,name,school_type,address,phone,fax,lon,lat",
        'HE-1,1,Grundschule am Fluss,Grundschule,"Schulstraße 1, 36037 Fulda",,,9.68,50.55',
        'HE-2,2,Gymnasium am Berg,Gymnasium,"Bergweg 2, 36037 Fulda",,,9.69,50.56',
    ]
)


@pytest.fixture
def shared_database(postgis_url):
    """Yield the URL of a schema of its own on the PostGIS test database, dropped after."""
    schema = f"kbm_servers_{os.getpid()}"
    url = make_url(postgis_url)
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    yield url.update_query_dict({"options": f"-csearch_path={schema},public"}).render_as_string(
        hide_password=False
    )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def environment(database: str, instance: Path) -> dict[str, str]:
    """Return the environment of one server: its own instance folder, the shared database."""
    return {
        **os.environ,
        "KBM_ENV": "development",
        "KBM_INSTANCE_PATH": str(instance),
        "KBM_DATABASE_URL": database,
        "KBM_SEARCH_BACKEND": "postgres",
        "PYTHONPATH": str(ROOT),
    }


def kbm(env: dict, *args: str) -> str:
    """Run a kbm-map command in a process of its own and return its output."""
    done = subprocess.run(
        [sys.executable, "-m", "kbm_map", *args], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def found(base: str, text: str) -> list[str]:
    """Return the titles the other server's search API finds for a text."""
    query = urllib.parse.urlencode({"q": text})
    with urllib.request.urlopen(f"{base}/api/v1/search?{query}", timeout=10) as response:
        return [hit["name"] for hit in json.load(response)["hits"]]


def wait_until_up(base: str, server: subprocess.Popen, log: Path) -> None:
    """Wait for the server to answer (it imports the app first)."""
    for _ in range(200):
        if server.poll() is not None:
            raise AssertionError(log.read_text())
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the second server did not start")


def test_a_write_in_one_process_is_found_by_another_at_once(shared_database, tmp_path):
    writer = environment(shared_database, tmp_path / "server-a")
    reader = environment(shared_database, tmp_path / "server-b")
    kbm(writer, "init-db")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server-b.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(port)], env=reader, stderr=output
        )
    try:
        wait_until_up(base, server, log)
        assert found(base, "Grundschule") == []
        schools = tmp_path / "schulen.csv"
        schools.write_text(SCHOOLS, encoding="utf-8")
        kbm(writer, "import", str(schools), "--mapping", "jedeschule-schulen")
        assert found(base, "Grundschule") == ["Grundschule am Fluss"]  # no wait, no reindex
        done = subprocess.run([sys.executable, "-c", RENAME], env=writer, capture_output=True)
        assert done.returncode == 0, done.stderr.decode()
        assert found(base, "Mühlbach") == ["Grundschule am Mühlbach"]
        assert found(base, "Fluss") == []
    finally:
        server.terminate()
        server.wait(timeout=10)
    # Neither server needed an index folder on its disk.
    assert not (tmp_path / "server-a" / "search-index").exists()
    assert not (tmp_path / "server-b" / "search-index").exists()
