"""A write command killed with SIGKILL at any moment leaves database and index in agreement.

Real `kbm-map` processes on a SpatiaLite database of their own with the Whoosh index (the
backend that writes after the commit), importing the real list of Hessen's schools. Each
moment is reached by watching the process, never by sleeping: an import or refresh is held
after its commit by the test holding the index's write lock, and a rebuild is caught while
its helper processes exist. The next command (or server start) must then find every
published entry in the index, and no process or lock may be left.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

ROOT = Path(__file__).resolve().parent.parent
HESSEN = "hessen/schulen_hessen.csv"
TIMEOUT = 60.0  # seconds any awaited moment may take on a busy machine

pytestmark = pytest.mark.shared_data


class Installation:
    """An instance folder with a SpatiaLite database and a Whoosh index, used by subprocesses."""

    def __init__(self, folder: Path):
        """Set up the environment of the commands (nothing is created yet)."""
        self.database = folder / "kbm.sqlite"
        self.index_dir = folder / "instance" / "search-index"
        self.env = {
            **os.environ,
            "KBM_ENV": "development",
            "KBM_INSTANCE_PATH": str(folder / "instance"),
            "KBM_DATABASE_URL": f"sqlite:///{self.database}",
            "KBM_SEARCH_BACKEND": "whoosh",
            "PYTHONPATH": str(ROOT),
        }

    def run(self, *args: str, status: int = 0) -> str:
        """Run a kbm-map command to its end; return stdout and stderr."""
        done = subprocess.run(
            [sys.executable, "-m", "kbm_map", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert done.returncode == status, done.stdout + done.stderr
        return done.stdout + done.stderr

    def run_python(self, code: str) -> None:
        """Run Python code in a process of its own in the project folder (e.g. the WSGI app)."""
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def start(self, *args: str) -> subprocess.Popen:
        """Start a kbm-map command without waiting for it."""
        return subprocess.Popen(
            [sys.executable, "-m", "kbm_map", *args],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def rows(self, sql: str) -> list[tuple]:
        """Return the rows of a query on the database (plain tables only)."""
        with sqlite3.connect(self.database, timeout=TIMEOUT) as conn:
            return conn.execute(sql).fetchall()

    def published(self) -> set[str]:
        """Return the index ids of the published Lernorte and Angebote in the database."""
        locations = self.rows("SELECT id FROM locations WHERE status = 'published'")
        offers = self.rows("SELECT id FROM offers WHERE status = 'published'")
        return {f"location:{i}" for (i,) in locations} | {f"offer:{i}" for (i,) in offers}

    def generation(self):
        """Return the Whoosh index of the current generation."""
        name = (self.index_dir / "CURRENT").read_text().strip()
        return whoosh_index.open_dir(str(self.index_dir / name))

    def indexed(self) -> set[str]:
        """Return the ids of the live documents in the index."""
        with self.generation().searcher() as searcher:
            return {fields["id"] for fields in searcher.all_stored_fields()}


def wait_for(condition: Callable[[], object], what: str) -> None:
    """Poll until condition is true; fail after TIMEOUT seconds."""
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.01)


def children(pid: int) -> dict[int, str]:
    """Return {pid: command line} of the living (not zombie) child processes of pid."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # ended meanwhile
            continue
        state, ppid = stat.rpartition(")")[2].split()[:2]
        if int(ppid) == pid and state != "Z":
            found[int(entry.name)] = cmdline
    return found


def alive(pid: int) -> bool:
    """Tell whether a process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def kill(process: subprocess.Popen) -> None:
    """SIGKILL a command and reap it."""
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=TIMEOUT) == -signal.SIGKILL


@pytest.fixture
def hessen(tmp_path, shared_data) -> tuple[Installation, Path]:
    """Return a migrated installation and the Hessen schools file."""
    installation = Installation(tmp_path)
    installation.run("init-db")
    return installation, shared_data / HESSEN


def killed_after_commit(site: Installation, *command: str) -> None:
    """Run a write command and SIGKILL it once its data is committed, before its index write.

    The test holds the index's write lock meanwhile, so the command waits right there.
    """
    runs = len(site.rows("SELECT id FROM import_runs WHERE status = 'done'"))
    lock = site.generation().lock("WRITELOCK")
    assert lock.acquire()
    try:
        process = site.start(*command)
        wait_for(
            lambda: len(site.rows("SELECT id FROM import_runs WHERE status = 'done'")) > runs,
            "the command's commit",
        )
        assert process.poll() is None  # still waiting for the index
        kill(process)
    finally:
        lock.release()


def titles(site: Installation) -> set[str]:
    """Return the titles of the live documents in the index."""
    with site.generation().searcher() as searcher:
        return {fields["title"] for fields in searcher.all_stored_fields()}


def test_writes_killed_after_their_commit_are_caught_up_next(hessen, tmp_path):
    site, schools = hessen
    copy = tmp_path / "schulen.csv"
    copy.write_bytes(schools.read_bytes())
    killed_after_commit(site, "import", str(copy), "-m", "jedeschule-schulen", "--source", "he")
    published = site.published()
    assert len(published) == 2040 and site.indexed() == set()
    assert site.rows("SELECT count(*) FROM index_outbox") == [(2040,)]
    assert "Suchindex: 2040 Einträge nicht aktuell" in site.run("check", status=1)

    site.run_python("import wsgi")  # a server start catches up before serving
    assert site.indexed() == published
    assert site.rows("SELECT count(*) FROM index_outbox") == [(0,)]

    text = copy.read_text(encoding="utf-8")
    assert text.count('"Meisterschule"') == 2
    copy.write_text(text.replace('"Meisterschule"', '"Meisterschule am Main"'), encoding="utf-8")
    killed_after_commit(site, "refresh")
    assert "Meisterschule am Main" not in titles(site)
    assert "Suchindex: 2 Einträge nicht aktuell" in site.run("check", status=1)

    output = site.run("refresh")  # the next write command catches up first
    assert "Search index: caught up (2 entries)" in output
    assert "0 new, 0 changed, 2040 unchanged" in output
    assert site.indexed() == published
    assert "Meisterschule am Main" in titles(site) and "Meisterschule" not in titles(site)
    assert "Suchindex" not in site.run("check", status=1)  # other findings remain


def test_rebuild_killed_while_its_helpers_write_leaves_no_process_or_lock(hessen):
    site, schools = hessen
    site.run("import", str(schools), "-m", "jedeschule-schulen", "--source", "he")
    published = site.published()
    assert site.indexed() == published

    rebuild = site.start("reindex")
    helpers: dict[int, str] = {}

    def writing() -> bool:
        """Tell whether the rebuild's bulk writer has started its helper processes."""
        helpers.update(children(rebuild.pid))
        return any("spawn_main" in line for line in helpers.values())

    wait_for(writing, "the rebuild's helper processes")
    kill(rebuild)
    wait_for(lambda: not any(alive(pid) for pid in helpers), "the orphaned helpers to end")
    lock = site.generation().lock("WRITELOCK")
    assert lock.acquire()  # nobody holds the index
    lock.release()
    assert site.indexed() == published  # the old generation still answers

    output = site.run("refresh")
    assert "2040 unchanged" in output
    assert site.indexed() == published
