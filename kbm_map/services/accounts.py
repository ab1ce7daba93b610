"""Staff sign-in and account management: lockout, password change and reset, roles."""

from __future__ import annotations

import functools
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import KbmMapError
from ..extensions import db
from ..models import Role, User, utcnow
from .audit import record_change
from .editing import STAFF, EditError
from .users import EMAIL_PATTERN, MIN_PASSWORD_LENGTH

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
HIDDEN = "***"  # what the audit trail shows instead of a password hash


class LoginRefusedError(KbmMapError):
    """Sign-in refused, with one message for every reason.

    Unknown address, wrong password and an attempt held back by throttling read alike, so the
    answer tells neither whether an account exists nor whether it is being throttled.
    """

    def __init__(self, locked: bool = False):
        self.locked = locked
        super().__init__(str(_l("E-Mail-Adresse oder Passwort ist falsch.")))


@functools.cache
def _dummy_hash() -> str:
    """Return a hash to check against for unknown addresses, so timing tells nothing."""
    return generate_password_hash("not a password of anyone")


def find_user(email: str) -> User | None:
    """Return the account with this e-mail address (case does not matter)."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def authenticate(email: str, password: str) -> User:
    """Return the user whose credentials these are; count failures and lock after too many."""
    user = find_user(email)
    now = utcnow()
    if user is None or not user.active:
        check_password_hash(_dummy_hash(), password)
        raise LoginRefusedError(locked=False)
    if user.locked_until and user.locked_until > now:
        check_password_hash(_dummy_hash(), password)  # the same work as for a real check
        raise LoginRefusedError(locked=True)
    if not user.check_password(password):
        user.failed_logins = (user.failed_logins or 0) + 1
        locked = user.failed_logins >= MAX_FAILED_LOGINS
        if locked:
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
            record_change(user, "lock", {"locked_until": [None, user.locked_until]}, "login")
        db.session.commit()
        raise LoginRefusedError(locked=locked)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    db.session.commit()
    return user


def _password_errors(password: str, field: str = "password") -> dict:
    """Return an error for a password that is too short to resist guessing."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return {field: _l("Mindestens %(n)s Zeichen.", n=MIN_PASSWORD_LENGTH)}
    return {}


def change_password(user: User, current: str, new: str) -> None:
    """Let staff change their own password after confirming the current one."""
    errors = _password_errors(new, "new_password")
    if not user.check_password(current):
        errors["current_password"] = _l("Das bisherige Passwort stimmt nicht.")
    if errors:
        raise EditError(errors)
    user.set_password(new)
    record_change(user, "update", {"password": [HIDDEN, HIDDEN]}, STAFF, user)
    db.session.commit()


def reset_password(admin: User, user: User, new: str) -> None:
    """Set a new password for someone (admins only) and lift a lock."""
    errors = _password_errors(new)
    if errors:
        raise EditError(errors)
    user.set_password(new)
    user.failed_logins, user.locked_until = 0, None
    record_change(user, "update", {"password": [HIDDEN, HIDDEN]}, STAFF, admin)
    db.session.commit()


def end_sessions(user: User) -> None:
    """Replace the account's session token: every cookie signed in with the old one stops."""
    user.end_sessions()
    db.session.commit()


def create_account(admin: User, email: str, name: str, role: str, password: str) -> User:
    """Add a staff account (admins only)."""
    email = email.strip().lower()
    errors = _password_errors(password)
    if not EMAIL_PATTERN.match(email):
        errors["email"] = _l("Bitte eine E-Mail-Adresse angeben, z. B. info@beispiel.de.")
    elif find_user(email):
        errors["email"] = _l("Für diese Adresse gibt es schon ein Konto.")
    if role not in {r.value for r in Role}:
        errors["role"] = _l("Bitte einen der angebotenen Werte wählen.")
    if errors:
        raise EditError(errors)
    user = User(email=email, name=name.strip() or email, role=role, active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record_change(user, "create", {"email": [None, email], "role": [None, role]}, STAFF, admin)
    db.session.commit()
    return user


def update_account(admin: User, user: User, name: str, role: str, active: bool) -> dict:
    """Change someone's name, role or access; the last active admin cannot lose either."""
    if user.role == Role.ADMIN.value and (role != Role.ADMIN.value or not active):
        others = select(func.count()).select_from(User)
        others = others.where(User.role == Role.ADMIN.value, User.active, User.id != user.id)
        if not db.session.scalar(others):
            raise EditError({"role": _l("Es muss mindestens ein aktives Admin-Konto geben.")})
    changes = {}
    for field, value in (("name", name.strip() or user.email), ("role", role), ("active", active)):
        if getattr(user, field) != value:
            changes[field] = [getattr(user, field), value]
            setattr(user, field, value)
    if "active" in changes and not active:
        user.end_sessions()  # a later reactivation does not revive old cookies
    if changes:
        record_change(user, "update", changes, STAFF, admin)
        db.session.commit()
    return changes
