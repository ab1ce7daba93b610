"""Staff sign-in and account management: throttling, sessions, passwords, roles."""

from __future__ import annotations

import functools
import logging
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import KbmMapError
from ..extensions import db
from ..models import LoginThrottle, Role, User, utcnow
from .audit import record_change
from .editing import STAFF, EditError
from .users import EMAIL_PATTERN, MIN_PASSWORD_LENGTH

MAX_FAILED_LOGINS = 5  # failures per account and address before the back-off starts
FIRST_WAIT = timedelta(seconds=1)  # after the 5th failure; doubles with every further one
MAX_WAIT = timedelta(minutes=15)
FORGET_AFTER = timedelta(days=1)  # failures older than this start the count afresh
log = logging.getLogger(__name__)
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


def throttle_wait(failures: int) -> timedelta:
    """Return how long to hold back sign-ins after this many failures in a row.

    Nothing for the first MAX_FAILED_LOGINS - 1, then FIRST_WAIT, twice that, four times …
    up to MAX_WAIT.
    """
    if failures < MAX_FAILED_LOGINS:
        return timedelta(0)
    doublings = min(failures - MAX_FAILED_LOGINS, 30)
    return min(FIRST_WAIT * 2**doublings, MAX_WAIT)


def _throttle(user: User, address: str) -> LoginThrottle | None:
    """Return the failure record of this account and client address, if there is one."""
    return db.session.scalar(
        select(LoginThrottle).where(
            LoginThrottle.user_id == user.id, LoginThrottle.address == address
        )
    )


def _count_failure(user: User, address: str, throttle: LoginThrottle | None, now: datetime) -> None:
    """Add one failure for the account and address and set the back-off that follows."""
    if throttle is None:
        try:
            with db.session.begin_nested():
                throttle = LoginThrottle(user_id=user.id, address=address, failures=0)
                throttle.last_failure_at = now
                db.session.add(throttle)
        except IntegrityError:  # another worker counted the first failure at the same moment
            throttle = _throttle(user, address)
    if throttle.last_failure_at < now - FORGET_AFTER:
        throttle.failures = 0
    throttle.failures += 1
    throttle.last_failure_at = now
    wait = throttle_wait(throttle.failures)
    throttle.blocked_until = now + wait if wait else None
    if throttle.failures == MAX_FAILED_LOGINS:
        log.warning("sign-in to account %s from %s held back after failures", user.id, address)
    db.session.execute(  # old records of the account, so the table stays small
        delete(LoginThrottle).where(
            LoginThrottle.user_id == user.id, LoginThrottle.last_failure_at < now - FORGET_AFTER
        )
    )


def authenticate(email: str, password: str, address: str) -> User:
    """Return the user whose credentials these are, or refuse with one message for all cases.

    Failures are counted per account and client address (`address`); after MAX_FAILED_LOGINS
    of them that address waits FIRST_WAIT, then twice as long after each further failure, up
    to MAX_WAIT. Other addresses, and so the real user, are not held back. A success clears
    the count of that address.
    """
    address = (address or "unknown")[:64]
    user = find_user(email)
    now = utcnow()
    if user is None or not user.active:
        check_password_hash(_dummy_hash(), password)
        raise LoginRefusedError()
    throttle = _throttle(user, address)
    if throttle is not None and throttle.blocked_until and throttle.blocked_until > now:
        check_password_hash(_dummy_hash(), password)  # the same work as for a real check
        raise LoginRefusedError(locked=True)
    if not user.check_password(password):
        _count_failure(user, address, throttle, now)
        db.session.commit()
        raise LoginRefusedError()
    if throttle is not None:
        db.session.delete(throttle)
    user.last_login_at = now
    db.session.commit()
    return user


def clear_throttles(user: User) -> None:
    """Forget the failed sign-ins of an account from every address (not committed)."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.user_id == user.id))


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
    """Set a new password for someone (admins only), ending their sessions and back-offs."""
    errors = _password_errors(new)
    if errors:
        raise EditError(errors)
    user.set_password(new)
    clear_throttles(user)
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
