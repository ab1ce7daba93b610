"""Sign-in, CSRF, rate limits and the security headers of the staff area."""

from __future__ import annotations

import functools
import hmac
import re
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin, current_user

from ..extensions import csrf, db, limiter, login_manager
from ..models import Role, User

DEFAULTS = {
    # LOGIN_RATE_LIMIT and REPORT_RATE_LIMIT come from config.py (KBM_*_RATE_LIMIT).
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,  # a working day on one form
    "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,  # uploads for the import
}


class StaffLogin(UserMixin):
    """The signed-in staff member as Flask-Login sees them."""

    def __init__(self, user: User):
        self.user = user

    def get_id(self) -> str:
        """Return the session id: account and its session token (new on logout, password change)."""
        return f"{self.user.id}:{self.user.session_token}"

    @property
    def is_active(self) -> bool:
        """Tell whether the account may sign in."""
        return bool(self.user.active)

    @property
    def is_admin(self) -> bool:
        """Tell whether this is an admin (users and imports)."""
        return self.user.role == Role.ADMIN.value

    @property
    def name(self) -> str:
        """Return the name shown in the header."""
        return self.user.name


def load_user(session_id: str) -> StaffLogin | None:
    """Return the staff member of a session (or remember-me cookie) whose token is current.

    The cookie is signed but lives in the browser; a copy of it stays valid only as long as
    the account's session token does, which logout, a password change, deactivation and an
    admin's "end all sessions" replace.
    """
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or len(user_id) > 18 or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or not user.session_token:
        return None
    if not hmac.compare_digest(token.encode(), user.session_token.encode()):
        return None
    return StaffLogin(user)


def staff_user() -> User:
    """Return the User row of the signed-in staff member (for services and audit)."""
    return current_user.user


def admin_required(view):
    """Let only admins use a view (users and imports)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated or not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def content_security_policy(tile_url: str) -> str:
    """Return the staff area's CSP: own scripts and styles only, tiles from the tile host."""
    images = ["'self'", "data:"]
    if tile_url:
        parts = urlsplit(tile_url)
        host = re.sub(r"\{[a-z]\}", "*", parts.netloc)
        if parts.scheme in ("http", "https") and host:
            images.append(f"{parts.scheme}://{host}")
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {' '.join(images)}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def add_security_headers(response):
    """Forbid framing, foreign scripts and caching of staff pages."""
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = content_security_policy(
        current_app.config.get("TILE_URL") or ""
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Attach Flask-Login, CSRF protection (every POST of the site) and the rate limiter."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "admin.login"
    login_manager.login_message = _l("Bitte melden Sie sich an.")
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    limiter.init_app(app)
    app.before_request(forget_request_state)


def forget_request_state() -> None:
    """Load the signed-in user and the CSRF token afresh for every request.

    A request reuses an application context that is already active (tests, scripts), and
    Flask-Login and Flask-WTF cache per-session values in `g`; without this, one request could
    see the user or token of another.
    """
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
