"""Routes: the audit trail of an entry and the restore of an earlier version."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..services import history
from ..services.editing import EditError
from .blueprint import bp
from .forms import ActionForm
from .security import staff_user

KINDS = {
    "location": ("admin.edit_location", "name"),
    "offer": ("admin.edit_offer", "title"),
    "organization": ("admin.edit_organization", "name"),
}


def _entity(kind: str, entry_id: int):
    """Return the entry whose history is asked for, or 404."""
    if kind not in KINDS:
        abort(404)
    return db.session.get(history.MODELS[kind], entry_id) or abort(404)


@bp.get("/verlauf/<kind>/<int:entry_id>")
def entry_history(kind: str, entry_id: int):
    """Show who changed which fields of an entry when, with old and new values."""
    entity = _entity(kind, entry_id)
    return render_template(
        "admin/history.html",
        kind=kind,
        entity=entity,
        label=getattr(entity, KINDS[kind][1]),
        edit_url=url_for(KINDS[kind][0], entry_id=entry_id),
        entries=history.history(kind, entry_id),
        action=ActionForm(),
    )


@bp.post("/verlauf/<kind>/<int:entry_id>/<int:audit_id>")
def restore_version(kind: str, entry_id: int, audit_id: int):
    """Bring an entry back to how it was right after the chosen change."""
    entity = _entity(kind, entry_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        result = history.restore_version(entity, audit_id, staff_user())
    except history.RestoreError:
        abort(404)
    except EditError as problem:
        flash(_("Diese Fassung lässt sich nicht speichern: %(why)s", why=problem), "warning")
        return redirect(url_for("admin.entry_history", kind=kind, entry_id=entry_id))
    if result.changes:
        flash(_("Frühere Fassung wiederhergestellt."), "success")
    else:
        flash(_("Diese Fassung entspricht dem jetzigen Stand."), "info")
    for warning in result.warnings:
        flash(warning, "warning")
    return redirect(url_for("admin.entry_history", kind=kind, entry_id=entry_id))
