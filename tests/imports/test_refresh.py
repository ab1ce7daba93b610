"""Refreshing a source: exactly the changed, new and vanished rows; hand edits survive."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest
from geoalchemy2.functions import ST_Y
from sqlalchemy import select

from kbm_map.extensions import db
from kbm_map.models import AuditEntry, ImportRun, Location, Source
from kbm_map.services.audit import record_change
from kbm_map.services.imports import run_import
from kbm_map.services.refresh import refresh_sources

from .conftest import location

pytestmark = pytest.mark.shared_data


def updated_at() -> dict[str, object]:
    """Return {external id: updated_at} of the source 'fulda'."""
    stmt = select(Location.external_id, Location.updated_at).where(Location.source == "fulda")
    return dict(db.session.execute(stmt).all())


def refresh(*names):
    """Refresh sources and return the one summary (failing the test on an error)."""
    (result,) = list(refresh_sources(names))
    assert result.error is None
    return result.summary


def test_first_import_records_the_source_and_the_run(fulda, fulda_copy):
    source = db.session.scalars(select(Source)).one()
    assert (source.name, source.location) == ("fulda", str(fulda_copy.resolve()))
    assert source.mapping.endswith("geodata/mappings/jedeschule-schulen.toml")
    run = db.session.get(ImportRun, fulda.run_id)
    assert (run.status, run.counts["new"], run.rejected) == ("done", 105, [])


def test_refresh_of_an_edited_copy_reports_exactly_what_changed(fulda, fulda_copy, table):
    before = updated_at()
    edited = table(fulda_copy)
    edited.row("HE-4101-0")["phone"] = "09742/99999"
    vanished = edited.rows.pop(5)
    edited.rows.append({**edited.row("HE-5390-0"), "id": "HE-9999-0", "name": "Neue Schule"})
    edited.save()

    summary = refresh("fulda")

    assert (summary.new, summary.changed, summary.unchanged) == (1, 1, 103)
    assert summary.withdrawn == [(vanished["id"], vanished["name"])]
    assert (summary.rejected, summary.kept_edits) == ([], 0)
    after = updated_at()
    untouched = set(before) - {"HE-4101-0", vanished["id"]}
    assert {k: after[k] for k in untouched} == {k: before[k] for k in untouched}
    assert after["HE-4101-0"] > before["HE-4101-0"]
    gone = location(vanished["id"])
    assert gone.status == "archived"  # kept, never deleted
    changed = location("HE-4101-0")
    assert changed.phone == "09742/99999"
    audit = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity_id == changed.id, AuditEntry.action == "update")
    ).one()
    assert (audit.origin, audit.changes) == (
        "import:fulda",
        {"phone": ["09742/1896", "09742/99999"]},
    )


def test_unchanged_refresh_touches_nothing(fulda):
    before = updated_at()
    audits = db.session.scalar(select(db.func.count()).select_from(AuditEntry))
    summary = refresh("fulda")
    assert (summary.new, summary.changed, summary.unchanged, summary.withdrawn) == (0, 0, 105, [])
    assert updated_at() == before
    assert db.session.scalar(select(db.func.count()).select_from(AuditEntry)) == audits


def test_hand_edited_field_survives_a_refresh(fulda, fulda_copy, table):
    school = location("HE-4101-0")
    school.phone, school.edited_fields = "0661 12345 (Sekretariat)", ["phone"]
    db.session.commit()
    edited = table(fulda_copy)
    edited.row("HE-4101-0")["phone"] = "09742/99999"
    edited.row("HE-4101-0")["name"] = "Grundschule Uttrichshausen-Kalbach"
    edited.save()

    summary = refresh("fulda")

    assert (summary.changed, summary.kept_edits) == (1, 1)
    school = location("HE-4101-0")
    assert (school.phone, school.name) == (
        "0661 12345 (Sekretariat)",
        "Grundschule Uttrichshausen-Kalbach",
    )


def test_hand_moved_position_survives_and_keeps_its_region(fulda, fulda_copy, table):
    school = location("HE-4101-0")
    school.edited_fields = ["geom"]
    db.session.commit()
    edited = table(fulda_copy)
    edited.row("HE-4101-0")["lat"] = "50.42"
    edited.save()
    summary = refresh("fulda")
    assert (summary.changed, summary.unchanged, summary.kept_edits) == (0, 105, 1)
    stmt = select(ST_Y(Location.geom)).where(Location.external_id == "HE-4101-0")
    assert db.session.scalar(stmt) == pytest.approx(50.411207)


def test_entry_archived_by_staff_stays_archived(fulda):
    school = location("HE-4101-0")
    school.status = "archived"
    record_change(school, "archive", {"status": ["published", "archived"]}, origin="staff")
    db.session.commit()
    summary = refresh("fulda")
    assert (summary.changed, summary.unchanged) == (0, 105)
    assert location("HE-4101-0").status == "archived"


def test_withdrawn_entry_that_returns_is_restored(fulda, fulda_copy, table):
    original = fulda_copy.read_text(encoding="utf-8")
    edited = table(fulda_copy)
    edited.rows = [r for r in edited.rows if r["id"] != "HE-4101-0"]
    edited.save()
    assert refresh("fulda").withdrawn == [("HE-4101-0", "Grundschule Uttrichshausen")]
    fulda_copy.write_text(original, encoding="utf-8")
    summary = refresh("fulda")
    assert (summary.new, summary.changed, summary.withdrawn) == (0, 1, [])
    assert location("HE-4101-0").status == "published"


def test_rejected_row_keeps_its_earlier_version_instead_of_being_withdrawn(
    fulda, fulda_copy, table
):
    edited = table(fulda_copy)
    edited.row("HE-4101-0")["lat"] = "fünfzig"
    edited.save()
    summary = refresh("fulda")
    assert [(r.row, r.field) for r in summary.rejected] == [(2, "lat")]
    assert (summary.withdrawn, summary.unchanged) == ([], 104)
    assert location("HE-4101-0").status == "published"


def test_dry_run_counts_the_same_and_changes_nothing(fulda, fulda_copy, table):
    before = updated_at()
    edited = table(fulda_copy)
    edited.row("HE-4101-0")["phone"] = "09742/99999"
    edited.rows.pop(5)
    edited.save()
    summary = run_import(fulda_copy, "jedeschule-schulen", "fulda", dry_run=True)
    assert (summary.changed, len(summary.withdrawn), summary.status) == (1, 1, "dry-run")
    assert updated_at() == before
    assert location("HE-4101-0").phone == "09742/1896"
    assert db.session.get(ImportRun, summary.run_id).dry_run is True


def test_refresh_from_an_http_address(app_ctx, fulda_copy, tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    (served / fulda_copy.name).write_bytes(fulda_copy.read_bytes())
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{fulda_copy.name}"
        assert run_import(fulda_copy, "jedeschule-schulen", "web", location=url).new == 105
        fulda_copy.unlink()  # refresh reads the URL, not the file it was first imported from
        summary = refresh("web")
        assert (summary.unchanged, summary.file) == (105, url)
        (served / fulda_copy.name).unlink()
        (result,) = refresh_sources(["web"])
        assert result.error == f"{url}: cannot be downloaded (HTTP Error 404: File not found)"
    finally:
        server.shutdown()
        server.server_close()


def test_refresh_of_an_unknown_source_names_the_known_ones(fulda):
    with pytest.raises(Exception, match="no source named nope .recorded: fulda"):
        list(refresh_sources(["nope"]))


def test_refresh_reports_a_vanished_file_and_goes_on(fulda, fulda_copy, shared_data):
    run_import(shared_data / "flensburg/schulen_flensburg.csv", "flensburg-schulen", "fl")
    fulda_copy.unlink()
    results = {r.source: r for r in refresh_sources()}
    assert "does not exist" in results["fulda"].error
    assert results["fl"].summary.unchanged == 30
