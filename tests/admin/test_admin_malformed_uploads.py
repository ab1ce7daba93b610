"""The browser import with malformed files: 422 and one message, no 500, no upload folder left."""

from __future__ import annotations

import io
from pathlib import Path

from hypothesis import given, settings
from sqlalchemy import func, select

from kbm_map.extensions import db
from kbm_map.models import ImportRun
from tests.imports.badfiles import corpus, mutate
from tests.imports.test_malformed_files import FIXED, MUTATIONS, stored


def upload(client, forms, name: str, content: bytes, mapping: str):
    """Send a file to the browser import."""
    data = {
        "csrf_token": forms.token(client, "/admin/import"),
        "file": (io.BytesIO(content), name),
        "mapping": mapping,
    }
    return client.post("/admin/import", data=data, content_type="multipart/form-data")


BROWSER = [e for e in corpus() if e[2] == "import"]


def test_the_browser_import_answers_422_and_leaves_no_upload_folder(admin_client, forms, app):
    uploads = Path(app.instance_path) / "uploads"
    before = stored()
    runs = db.session.scalar(select(func.count()).select_from(ImportRun))
    for name, content, _, mapping in BROWSER:
        waiting = set(uploads.iterdir()) if uploads.exists() else set()
        response = upload(admin_client, forms, name, content, mapping)
        assert response.status_code == 422, (name, response.status_code)
        page = response.get_data(as_text=True)
        assert "Traceback" not in page
        assert f"file {name}" in page, name
        assert (set(uploads.iterdir()) if uploads.exists() else set()) == waiting, name
    db.session.rollback()
    assert stored() == before
    assert db.session.scalar(select(func.count()).select_from(ImportRun)) >= runs


def test_mutated_uploads_never_answer_500(shared_data, admin_client, forms, app):
    raw = (shared_data / "fulda/schulen_lk_fulda.csv").read_bytes()
    uploads = Path(app.instance_path) / "uploads"

    @settings(FIXED, max_examples=8)
    @given(MUTATIONS)
    def check(choices):
        """Upload a mutated copy: a summary (200) or the form with one message (422)."""
        waiting = set(uploads.iterdir()) if uploads.exists() else set()
        response = upload(
            admin_client, forms, "schulen.csv", mutate(raw, choices), "jedeschule-schulen"
        )
        assert response.status_code in (200, 422)
        if response.status_code == 422:
            assert (set(uploads.iterdir()) if uploads.exists() else set()) == waiting

    check()


def test_a_failed_apply_puts_back_the_kept_file_and_removes_the_upload(
    admin_client, forms, app, monkeypatch
):
    from kbm_map.services import imports
    from kbm_map.services.imports import ImportRunError

    content = b"id,name\n1,A\n"
    kept = Path(app.instance_path) / "imports" / "schulen"
    kept.mkdir(parents=True, exist_ok=True)
    (kept / "schulen.csv").write_bytes(b"the file refresh reads")
    calls = []

    def dry_run_only(*args, dry_run=False, **kwargs):
        """Pass a dry run, fail the real run as a broken file would."""
        calls.append(dry_run)
        if dry_run:
            return imports.ImportSummary(source="schulen", file="schulen.csv", status="dry-run")
        raise ImportRunError("file schulen.csv: cannot be read: broken")

    monkeypatch.setattr(imports, "run_import", dry_run_only)
    response = upload(admin_client, forms, "schulen.csv", content, "jedeschule-schulen")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    token = html.split('name="token" type="hidden" value="')[1].split('"')[0]
    response = forms.post(admin_client, "/admin/import/ausfuehren", {"token": token})
    assert response.status_code == 302
    assert calls == [True, False]
    assert (kept / "schulen.csv").read_bytes() == b"the file refresh reads"
    assert not (Path(app.instance_path) / "uploads" / token).exists()
