"""Create and change staff accounts."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from ..errors import KbmMapError
from ..extensions import db
from ..models import Role, User
from .audit import record_change

MIN_PASSWORD_LENGTH = 12
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class UserError(KbmMapError):
    """A staff account cannot be created or changed as asked."""


def validate_password(password: str) -> None:
    """Reject passwords that are too short to resist guessing."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")


def create_user(email: str, name: str, role: str, password: str) -> User:
    """Create a staff account after checking e-mail, role and password."""
    email = email.strip().lower()
    if not EMAIL_PATTERN.match(email):
        raise UserError(f"{email!r} is not an e-mail address.")
    if role not in {r.value for r in Role}:
        raise UserError(
            f"Unknown role {role!r}; choose one of: {', '.join(r.value for r in Role)}."
        )
    if db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise UserError(f"There is already an account for {email}.")
    validate_password(password)
    user = User(email=email, name=name.strip() or email, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record_change(user, "create", {"email": [None, email], "role": [None, role]}, origin="cli")
    db.session.commit()
    return user
