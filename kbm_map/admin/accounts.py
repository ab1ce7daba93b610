"""Routes: sign in and out, own password, staff accounts (admins)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from ..extensions import db, limiter
from ..models import User
from ..services import accounts
from ..services.editing import EditError
from .blueprint import bp
from .forms import AccountEditForm, AccountForm, LoginForm, PasswordChangeForm, PasswordResetForm
from .security import StaffLogin, admin_required, staff_user


def show_errors(form, problem: EditError) -> None:
    """Put a service's messages beside the form's fields (or on top, if it has no such field)."""
    for name, message in problem.errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*(field.errors or []), message]
        else:
            form.form_errors.append(message)


def safe_target(target: str | None, default: str) -> str:
    """Return a redirect target only if it is a path inside the staff area (no open redirect).

    Refused: other hosts (`//evil.example`), schemes (`javascript:`), backslashes and control
    characters such as CR/LF (which a Location header cannot carry).
    """
    if not target or "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    if parts.path == "/admin" or parts.path.startswith("/admin/"):
        return target
    return default


@bp.route("/anmelden", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    """Sign in with e-mail and password; repeated failures from one address are slowed down."""
    if current_user.is_authenticated:
        return redirect(url_for("admin.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data, get_remote_address())
        except accounts.LoginRefusedError as refused:
            form.form_errors.append(str(refused))
        else:
            login_user(StaffLogin(user))
            return redirect(safe_target(request.args.get("next"), url_for("admin.dashboard")))
    status = 401 if form.form_errors else 200
    return render_template("admin/login.html", form=form), status


@bp.post("/abmelden")
def logout():
    """Sign out (a POST with CSRF token) and end every session of the account.

    The session token is replaced, so a copy of this session cookie, a remember-me cookie or
    a session on another device no longer signs anyone in.
    """
    if current_user.is_authenticated:
        accounts.end_sessions(staff_user())
    logout_user()
    flash(_("Sie sind abgemeldet."), "info")
    return redirect(url_for("admin.login"))


@bp.route("/passwort", methods=["GET", "POST"])
def password():
    """Change one's own password (this ends the other sessions of the account)."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                staff_user(), form.current_password.data, form.new_password.data
            )
        except EditError as problem:
            show_errors(form, problem)
        else:
            login_user(StaffLogin(staff_user()))  # the session id follows the new password
            flash(_("Ihr Passwort ist geändert."), "success")
            return redirect(url_for("admin.dashboard"))
    return render_template("admin/password.html", form=form)


@bp.get("/konten")
@admin_required
def users():
    """List the staff accounts."""
    people = db.session.scalars(select(User).order_by(User.name))
    return render_template("admin/users.html", users=list(people), form=AccountForm())


@bp.post("/konten")
@admin_required
def create_user():
    """Add a staff account."""
    form = AccountForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_account(
                staff_user(), form.email.data, form.name.data, form.role.data, form.password.data
            )
        except EditError as problem:
            show_errors(form, problem)
        else:
            flash(_("Konto für %(email)s angelegt.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    people = db.session.scalars(select(User).order_by(User.name))
    return render_template("admin/users.html", users=list(people), form=form), 422


@bp.route("/konten/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    """Change someone's name, role and access, or set a new password for them."""
    user = db.session.get(User, user_id) or abort(404)
    form = AccountEditForm(obj=user)
    reset = PasswordResetForm()
    try:
        if reset.reset.data and reset.validate_on_submit():
            accounts.reset_password(staff_user(), user, reset.password.data)
            flash(_("Neues Passwort für %(email)s gesetzt.", email=user.email), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
        if form.submit.data and form.validate_on_submit():
            accounts.update_account(
                staff_user(), user, form.name.data, form.role.data, form.active.data
            )
            flash(_("Gespeichert."), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    except EditError as problem:
        show_errors(reset if "password" in problem.errors else form, problem)
    failed = form.errors or reset.errors or form.form_errors
    return render_template("admin/user_edit.html", account=user, form=form, reset=reset), (
        422 if failed else 200
    )


@bp.post("/konten/<int:user_id>/sitzungen")
@admin_required
def end_user_sessions(user_id: int):
    """End every session of an account on every device (a lost laptop, a copied cookie)."""
    user = db.session.get(User, user_id) or abort(404)
    accounts.end_sessions(user)
    flash(_("Alle Sitzungen von %(email)s sind beendet.", email=user.email), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))
