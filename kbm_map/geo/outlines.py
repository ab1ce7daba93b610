"""Where the regions' outlines come from: the credit lines to show with them."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Region


def outline_credits() -> str:
    """Return the credit lines of the active regions' outlines, e.g. "© GeoBasis-DE / BKG …"."""
    stmt = select(Region.attribution).where(Region.active.is_(True)).distinct()
    return "; ".join(sorted(a for a in db.session.scalars(stmt) if a))
