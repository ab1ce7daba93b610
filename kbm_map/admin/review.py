"""Routes: the freshness dashboard and the moderation queue of public reports."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..models import ChangeReport, Location, ReportKind, ReportStatus
from ..services import freshness, reports
from ..services.editing import EditError
from ..services.reports import ReportError
from .blueprint import bp
from .forms import DecisionForm
from .security import staff_user

FIELD_LABELS = {
    "name": "Name",
    "title": "Titel",
    "street": "Straße",
    "house_number": "Hausnummer",
    "postcode": "Postleitzahl",
    "city": "Ort",
    "phone": "Telefon",
    "email": "E-Mail",
    "website": "Webseite",
    "registration_phone": "Anmeldung: Telefon",
    "registration_email": "Anmeldung: E-Mail",
    "registration_url": "Anmeldung: Webseite",
    "description": "Beschreibung",
    "provider": "Anbieter",
    "place": "Ort des Angebots",
    "dates": "Termine",
    "contact": "Kontakt",
}


@bp.get("/")
def dashboard():
    """Show what needs attention: stale, past, unplaced, duplicates, imports, reports."""
    from ..monitoring.gaps import GapRuleError, evaluate
    from ..monitoring.reach_lookup import latest_shares

    try:
        gaps, gap_error = evaluate(reach=latest_shares), None
    except GapRuleError as error:  # a broken KBM_GAP_RULES file must not hide the dashboard
        gaps, gap_error = [], str(error)
    return render_template(
        "admin/dashboard.html",
        findings=freshness.findings(),
        runs=freshness.recent_runs(),
        gaps=gaps,
        gap_error=gap_error,
    )


@bp.get("/meldungen")
def report_queue():
    """List the public reports waiting for a decision (or decided ones)."""
    status = request.args.get("status", ReportStatus.OPEN.value)
    if status not in {s.value for s in ReportStatus}:
        abort(404)
    return render_template("admin/report_queue.html", reports=reports.queue(status), status=status)


def _proposal(report: ChangeReport) -> dict:
    """Return the values staff are about to apply: the proposal, edited in the form."""
    if request.method == "POST":
        return {name: request.form.get(f"value_{name}", "") for name in report.proposed}
    return dict(report.proposed)


@bp.route("/meldungen/<int:report_id>", methods=["GET", "POST"])
def report_detail(report_id: int):
    """Show a report beside the current entry; accept (through the edit path) or decline."""
    report = db.session.get(ChangeReport, report_id) or abort(404)
    form = DecisionForm()
    proposal, errors = _proposal(report), {}
    if form.validate_on_submit():
        try:
            if form.decline.data:
                reports.decline(report, staff_user(), form.note.data)
                flash(_("Meldung abgelehnt."), "success")
                return redirect(url_for("admin.report_queue"))
            return _accept(report, proposal, form.note.data)
        except EditError as problem:
            errors = problem.errors
        except ReportError as problem:
            flash(str(problem), "warning")
    entry = reports.target(report)
    current = {name: getattr(entry, name, None) for name in proposal} if entry else {}
    return render_template(
        "admin/report_detail.html",
        report=report,
        entry=entry,
        current=current,
        proposal=proposal,
        errors=errors,
        labels=FIELD_LABELS,
        form=form,
    ), (422 if errors else 200)


def _accept(report: ChangeReport, proposal: dict, note: str | None):
    """Apply a report and go to the changed or created entry."""
    values = {name: (value or "").strip() or None for name, value in proposal.items()}
    if report.kind == ReportKind.SUGGESTION.value:
        result = reports.accept_suggestion(report, _offer_values(values), staff_user(), note)
        flash(_("Entwurf angelegt: bitte vervollständigen und veröffentlichen."), "success")
        return redirect(url_for("admin.edit_offer", entry_id=result.entity.id))
    result = reports.accept_change(report, values, staff_user(), note)
    flash(_("Änderung übernommen."), "success")
    for warning in result.warnings:
        flash(warning, "warning")
    endpoint = "admin.edit_location" if isinstance(result.entity, Location) else "admin.edit_offer"
    return redirect(url_for(endpoint, entry_id=result.entity.id))


def _offer_values(values: dict) -> dict:
    """Turn a suggestion into the fields of a draft offer; the rest goes into the description."""
    details = [
        f"{FIELD_LABELS[name]}: {values[name]}"
        for name in ("provider", "place", "dates", "contact", "website")
        if values.get(name)
    ]
    description = "\n\n".join(part for part in (values.get("description"), *details) if part)
    return {"title": values.get("title") or "", "description": description or None}
