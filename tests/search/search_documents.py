"""Search documents as kbm_map/finding/documents.py builds them, for tests."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from typing import Any

from kbm_map.finding.filters import LAYOUT

Doc = dict[str, Any]


def make_doc(
    doc_id: str,
    title: str,
    terms: Mapping[str, Sequence[str]] | None = None,
    flags: Mapping[str, bool] | None = None,
    **fields: Any,
) -> Doc:
    """Return a search document with neutral defaults for everything not given.

    terms and flags are merged into the defaults: the type from the id, German, one Gemeinde,
    every flag off.
    """
    doc: Doc = {
        "id": doc_id,
        "type": doc_id.split(":")[0],
        "title": title,
        "description": "",
        "kind": "",
        "topics": [],
        "provider": "",
        "place": "",
        "terms": {name: [] for name in LAYOUT.lists}
        | {"type": [doc_id.split(":")[0]], "language": ["de"], "region": ["03241001"]}
        | dict(terms or {}),
        "flags": dict.fromkeys(LAYOUT.flags, False) | dict(flags or {}),
        "min_age": None,
        "max_age": None,
        "dates": [],
        "start": None,
        "end": None,
        "lon": None,
        "lat": None,
        "name_sort": title.lower(),
    }
    doc.update(fields)
    return doc


WORDS = (
    "Gärten", "Garten", "Deutschkurs", "für", "Kinder", "und", "Eltern", "Bibliothek",
    "Bücherei", "Straße", "Volkshochschule", "Integrationskurs", "Musikschule", "Jugendzentrum",
    "Türkçe", "Бібліотека", "z.B.", "A1.2", "der", "Beratung", "Bewerbungstraining", "Python",
    "Kurs", "Kita", "Krippe", "Café", "Yoga", "Schach", "Theater", "Lesepaten", "Kaffee",
)  # fmt: skip


def corpus(count: int, seed: int = 5) -> list[Doc]:
    """Return varied documents: repeated titles, every facet, ages, dates, positions."""
    rng = random.Random(seed)

    def text(most: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, most)))

    docs = []
    for n in range(count):
        kind = "location" if n % 5 == 0 else "offer"
        day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 365))
        dated = rng.random()
        min_age = rng.choice([None, None, 3, 6, 16])
        docs.append(
            make_doc(
                f"{kind}:{n}",
                text(3),
                description=text(30),
                kind=rng.choice(["Bibliothek Bücherei", "Volkshochschule VHS", ""]),
                topics=[text(1)],
                provider=text(2),
                place=text(3),
                terms={
                    "area": rng.sample(["a1", "a2", "a3", "a4"], rng.randint(0, 2)),
                    "kind": [rng.choice(["k1", "k2", "k3"])],
                    "topic": rng.sample(["t1", "t2", "t3"], rng.randint(0, 2)),
                    "target": rng.sample(["g1", "g2"], rng.randint(0, 2)),
                    "language": rng.sample(["de", "en", "ar", "uk"], rng.randint(1, 2)),
                    "region": [rng.choice(["r1", "r2", "r3"])],
                },
                flags={flag: rng.random() < 0.4 for flag in ("free", "step_free", "online")},
                min_age=min_age,
                max_age=None if min_age is None else min_age + rng.choice([5, 50]),
                dates=[day + dt.timedelta(weeks=w) for w in range(3)] if dated < 0.4 else [],
                start=day if 0.4 <= dated < 0.7 else None,
                end=day + dt.timedelta(days=60) if 0.4 <= dated < 0.6 else None,
                lon=9.7 + rng.gauss(0, 0.05) if rng.random() < 0.8 else None,
                lat=52.37 + rng.gauss(0, 0.03),
            )
        )
    return docs
