"""Staff accounts of the education office."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from .common import TimestampMixin


class Role(enum.StrEnum):
    """What a staff member may do."""

    ADMIN = "admin"  # everything, including users and imports
    EDITOR = "editor"  # listings


def new_session_token() -> str:
    """Return a fresh random value that signed-in sessions of an account must carry."""
    return secrets.token_urlsafe(32)


class User(TimestampMixin, db.Model):
    """A member of staff who can sign in."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.EDITOR.value)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Part of every session cookie of the account; a new value ends all of them at once.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)

    def end_sessions(self) -> None:
        """Make every session (and remember-me cookie) of this account invalid."""
        self.session_token = new_session_token()

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password (scrypt) and end the account's sessions."""
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        """Tell whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class LoginThrottle(db.Model):
    """Failed sign-ins to one account from one client address, and how long to hold back.

    Kept in the database, so every worker process sees the same counts. There is no lock of
    the account as a whole: failures from one address slow down only that address.
    """

    __tablename__ = "login_throttles"
    __table_args__ = (UniqueConstraint("user_id", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime)
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime)
