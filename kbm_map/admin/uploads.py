"""Routes: import a file from the browser (admins): upload, mapping, dry run, apply."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import tempfile
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.utils import secure_filename

from ..errors import KbmMapError
from ..importers.records import one_line
from .blueprint import bp
from .fields import choices
from .forms import ImportApplyForm, ImportUploadForm
from .security import admin_required, staff_user

TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def shipped_mappings() -> list[tuple[str, str]]:
    """Return (name, label) of the shipped mappings for Lernorte and Angebote."""
    from ..importers import ImportFileError, load_mapping
    from ..services.datafiles import MAPPINGS_DIR

    choices = []
    for path in sorted(MAPPINGS_DIR.glob("*.toml")):
        try:
            mapping = load_mapping(path)
        except ImportFileError:
            continue
        if mapping.target in ("location", "offer"):
            target = _("Lernorte") if mapping.target == "location" else _("Angebote")
            choices.append((path.stem, f"{path.stem} ({target})"))
    return choices


def _folder(token: str) -> Path:
    """Return the folder of an upload waiting to be applied."""
    if not TOKEN.match(token or ""):
        abort(404)
    folder = Path(current_app.instance_path) / "uploads" / token
    if not folder.is_dir():
        abort(404)
    return folder


def _run(folder: Path, meta: dict, dry_run: bool):
    """Run the import service on the file and mapping in `folder`."""
    from ..services.imports import run_import  # the import helper's service

    mapping = folder / "mapping.toml" if meta["custom_mapping"] else meta["mapping"]
    return run_import(
        folder / meta["file"],
        mapping,
        meta["source"] or None,
        dry_run=dry_run,
        user_id=staff_user().id,
    )


@bp.route("/import", methods=["GET", "POST"])
@admin_required
def import_upload():
    """Upload a file with a mapping and show what the import would do (dry run)."""
    form = ImportUploadForm()
    form.mapping.choices = choices(shipped_mappings())
    if not form.validate_on_submit():
        return render_template("admin/import_upload.html", form=form), (422 if form.errors else 200)
    token = secrets.token_urlsafe(24)
    folder = Path(current_app.instance_path) / "uploads" / token
    folder.mkdir(parents=True)
    keep = False
    try:
        name = secure_filename(form.file.data.filename or "") or "upload.csv"
        form.file.data.save(folder / name)
        custom = bool((form.mapping_text.data or "").strip())
        if custom:
            (folder / "mapping.toml").write_text(form.mapping_text.data, encoding="utf-8")
        meta = {
            "file": name,
            "source": (form.source.data or "").strip(),
            "mapping": form.mapping.data,
            "custom_mapping": custom,
        }
        (folder / "meta.json").write_text(json.dumps(meta))
        try:
            summary = _run(folder, meta, dry_run=True)
        except KbmMapError as problem:
            form.form_errors.append(one_line(str(problem), 2000))
            return render_template("admin/import_upload.html", form=form), 422
        keep = True  # waits for "apply"
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
    return render_template(
        "admin/import_summary.html",
        summary=summary,
        meta=meta,
        apply=ImportApplyForm(token=token),
    )


@bp.post("/import/ausfuehren")
@admin_required
def import_apply():
    """Apply an upload that was checked in a dry run; keep the file for `kbm-map refresh`."""
    form = ImportApplyForm()
    if not form.validate_on_submit():
        abort(400)
    folder = _folder(form.token.data)
    try:
        meta = json.loads((folder / "meta.json").read_text())
        # The applied file and mapping stay in the instance folder so `kbm-map refresh` finds
        # them; the files they replace come back if the import fails.
        source = meta["source"] or secure_filename(Path(meta["file"]).stem).lower() or "upload"
        kept = Path(current_app.instance_path) / "imports" / secure_filename(source)
        kept.mkdir(parents=True, exist_ok=True)
        names = [n for n in (meta["file"], "mapping.toml" if meta["custom_mapping"] else None) if n]
        with tempfile.TemporaryDirectory(dir=kept.parent) as backup:
            for name in names:
                if (kept / name).exists():
                    shutil.copy2(kept / name, Path(backup) / name)
                shutil.copy2(folder / name, kept / name)
            try:
                summary = _run(kept, meta, dry_run=False)
            except KbmMapError as problem:
                _restore(kept, Path(backup), names)
                flash(one_line(str(problem), 2000), "warning")
                return redirect(url_for("admin.import_upload"))
            except BaseException:
                _restore(kept, Path(backup), names)
                raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    flash(_("Import ausgeführt."), "success")
    return render_template("admin/import_summary.html", summary=summary, meta=meta, apply=None)


def _restore(kept: Path, backup: Path, names: list[str]) -> None:
    """Put back the files a failed import replaced in its kept folder (or remove new ones)."""
    for name in names:
        if (backup / name).exists():
            shutil.copy2(backup / name, kept / name)
        else:
            (kept / name).unlink(missing_ok=True)
