"""The staff area's blueprint: everything under /admin needs a signed-in staff member."""

from __future__ import annotations

from flask import Blueprint, g, request
from flask_login import current_user

from ..extensions import login_manager
from .security import add_security_headers

bp = Blueprint("admin", __name__, url_prefix="/admin")
PUBLIC_ENDPOINTS = {"admin.login"}


@bp.before_request
def require_login():
    """Send visitors who are not signed in to the login page."""
    g.lang = "de"  # the staff area's texts are German until catalogues translate them
    if request.endpoint not in PUBLIC_ENDPOINTS and not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


bp.after_request(add_security_headers)


@bp.context_processor
def inject_queue_size():
    """Show the number of open public reports in the navigation."""
    if not current_user.is_authenticated:
        return {}
    from ..services.reports import open_count

    return {"open_reports": open_count()}
