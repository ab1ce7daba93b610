"""Coverage objects of the 23 real Gemeinden of Landkreis Fulda, made from plain values.

The report and chart tests render these; the figures are made up except Fulda's
population (69,968, Destatis GV-ISys 31.12.2022).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from kbm_map.finding import SearchParams
from kbm_map.monitoring.charts import Shape, shapes_from
from kbm_map.monitoring.indicators import Area, Coverage, PopulationValue

DESTATIS = "© Statistisches Bundesamt (Destatis), 2023, dl-de/by-2.0"
BKG = "© GeoBasis-DE / BKG 2021 (Daten verändert)"
CENSUS_DAY = dt.date(2022, 12, 31)
TODAY = dt.date(2026, 6, 30)
LAST_YEAR = dt.date(2025, 6, 30)


def fulda_shapes(shared_data: Path) -> list[Shape]:
    """Return the 23 Gemeinden of the BKG file (AGS, GEN) as shapes."""
    path = shared_data / "fulda" / "gemeinden_lk_fulda.geojson"
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    return shapes_from(features, code="AGS", name="GEN")


def population(name: str, position: int) -> int:
    """Return a Gemeinde's made-up population (Fulda's is the real one)."""
    return 69_968 if name == "Fulda" else 2_000 + 1_000 * position


def fulda_coverage(
    shapes: list[Shape], day: dt.date = TODAY, growth: int = 0, ages: bool = True
) -> Coverage:
    """Return a coverage of the Gemeinden: counts from their position, estimated age groups."""
    areas = []
    for position, shape in enumerate(sorted(shapes, key=lambda s: s.name)):
        inhabitants = population(shape.name, position)
        areas.append(
            Area(
                code=shape.code,
                name=shape.name,
                lernorte=position % 5 + growth + (40 if shape.name == "Fulda" else 0),
                angebote=(position * 3) % 7 + growth,
                population=PopulationValue(inhabitants, CENSUS_DAY, False, source=DESTATIS),
                age_population=PopulationValue(
                    inhabitants * 4 // 100, CENSUS_DAY, estimated=True, source=DESTATIS
                ),
            )
        )
    total = Area(
        code="",
        name="Gesamtes Gebiet",
        lernorte=sum(a.lernorte for a in areas),
        angebote=sum(a.angebote for a in areas),
        population=PopulationValue(
            sum(a.population.value for a in areas), CENSUS_DAY, False, source=DESTATIS
        ),
        age_population=PopulationValue(
            sum(a.age_population.value for a in areas), CENSUS_DAY, True, source=DESTATIS
        ),
    )
    return Coverage(
        params=SearchParams(),
        reference_date=day,
        areas=areas,
        total=total,
        without_region=Area(code="", name="ohne Gemeinde", lernorte=2, angebote=3),
        ages=(6, 10) if ages else None,
        population_dates=[CENSUS_DAY],
        population_sources=[DESTATIS],
    )


def compared(shapes: list[Shape]) -> Coverage:
    """Return this year's coverage compared with last year's (one Lernort fewer everywhere)."""
    now = fulda_coverage(shapes, TODAY, growth=1)
    now.compare = fulda_coverage(shapes, LAST_YEAR, growth=0)
    return now
