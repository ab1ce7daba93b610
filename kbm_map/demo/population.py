"""Made-up population figures of the demo Gemeinden: totals and the 17 GENESIS age groups.

Two reference dates a year apart, so that the monitoring's figures per 1,000 children and
its comparisons work in the demo as with real statistics. The age structure follows the
shape of a rural German district; each Gemeinde varies it a little.
"""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import delete, insert

from ..extensions import db
from ..models import PopulationFigure

SOURCE = "demo"
PUBLISHER = "Erfundene Zahlen (kbm-map demo)"
# Shares per 1,000 inhabitants of the groups unter 3, 3–6, 6–10, 10–15, 15–18, 18–20, 20–25,
# 25–30, 30–35, 35–40, 40–45, 45–50, 50–55, 55–60, 60–65, 65–75, 75 und mehr.
GROUPS = ("0-3", "3-6", "6-10", "10-15", "15-18", "18-20", "20-25", "25-30", "30-35",
          "35-40", "40-45", "45-50", "50-55", "55-60", "60-65", "65-75", "75-")  # fmt: skip
SHARES = (29, 28, 35, 47, 31, 22, 55, 58, 57, 56, 55, 66, 85, 80, 68, 109, 119)


def reference_dates(today: date) -> tuple[date, date]:
    """Return the two last year-ends before today (official figures lag a year or more)."""
    return date(today.year - 2, 12, 31), date(today.year - 1, 12, 31)


def _groups(total: int, rng: random.Random) -> dict[str, int]:
    """Split a total into the 17 groups by the shares, varied by a few per cent."""
    weights = [share * rng.uniform(0.9, 1.1) for share in SHARES]
    scale = total / sum(weights)
    values = [int(w * scale) for w in weights]
    values[-1] += total - sum(values)  # the rounding rest goes to the oldest group
    return dict(zip(GROUPS, values, strict=True))


def write_population(towns: list[dict], seed: int, today: date) -> int:
    """Replace the demo's population figures; return how many were written."""
    db.session.execute(delete(PopulationFigure).where(PopulationFigure.source == SOURCE))
    rng = random.Random(seed * 11 + 3)
    earlier, newer = reference_dates(today)
    rows = []
    for town in towns:
        newest = town["population"]
        for day, total in ((earlier, round(newest * rng.uniform(0.97, 1.01))), (newer, newest)):
            values = {"total": total, **_groups(total, rng)}
            rows.extend(
                {
                    "code": town["code"],
                    "reference_date": day,
                    "age_group": group,
                    "value": value,
                    "estimated": False,
                    "source": SOURCE,
                    "publisher": PUBLISHER,
                    "licence": None,
                    "attribution": PUBLISHER,
                }
                for group, value in values.items()
            )
    db.session.execute(insert(PopulationFigure), rows)
    return len(rows)
