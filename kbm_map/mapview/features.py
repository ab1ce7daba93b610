"""GeoJSON for the map: clusters at low zoom, points at high zoom, and the list beside it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from geoalchemy2.functions import ST_X, ST_Y
from sqlalchemy import func, select

from ..extensions import db
from ..finding import Selection
from ..finding.filters import PUBLISHED
from ..geo.clusters import Cell, grid_for_zoom, in_box
from ..models import Location, Term, Vocabulary
from ..models.taxonomy import location_areas
from .cache import encode_ids, id_filter, remember
from .cells import view_cells

POINTS_ZOOM = 14  # from this zoom on, single places (unless too many are in view)
MAX_POINTS = 250  # about 75 kB; more places than this in view are clustered
CELL_PX = 80  # cluster cell size on screen: at most about 200 features in a desktop view

UrlForSlug = Callable[[str], str]


@dataclass(frozen=True)
class Labels:
    """Term labels in the UI language, read once per request."""

    kinds: dict[int, str]
    areas: dict[int, tuple[str, int]]  # term id → (code, position)

    @classmethod
    def load(cls, lang: str) -> Labels:
        """Read the labels of location kinds and Bildungsbereiche."""
        terms = db.session.scalars(
            select(Term).where(
                Term.vocabulary.in_((Vocabulary.LOCATION_KIND.value, Vocabulary.AREA.value))
            )
        )
        kinds, areas = {}, {}
        for term in terms:
            if term.vocabulary == Vocabulary.AREA.value:
                areas[term.id] = (term.code, term.position)
            else:
                kinds[term.id] = term.label(lang)
        return cls(kinds, areas)


def place_properties(ids: Sequence[int], lang: str, url_for_slug: UrlForSlug) -> list[dict]:
    """Return name, kind, address, main Bildungsbereich, link and position of Lernorte, by id."""
    if not ids:
        return []
    labels = remember(("labels", str(db.engine.url), lang), lambda: Labels.load(lang))
    main_area: dict[int, tuple[int, str]] = {}
    areas = select(location_areas.c.location_id, location_areas.c.term_id).where(
        location_areas.c.location_id.in_(ids)
    )
    for location_id, term_id in db.session.execute(areas):
        code, position = labels.areas.get(term_id, ("", 1 << 30))
        if location_id not in main_area or position < main_area[location_id][0]:
            main_area[location_id] = (position, code)
    stmt = select(
        Location.id,
        Location.name,
        Location.slug,
        Location.kind_id,
        Location.street,
        Location.house_number,
        Location.postcode,
        Location.city,
        ST_X(Location.geom),
        ST_Y(Location.geom),
    ).where(Location.id.in_(ids))
    found = {}
    for row in db.session.execute(stmt):
        street = " ".join(p for p in (row.street, row.house_number) if p)
        town = " ".join(p for p in (row.postcode, row.city) if p)
        found[row.id] = {
            "id": row.id,
            "name": row.name,
            "kind": labels.kinds.get(row.kind_id, ""),
            "address": ", ".join(p for p in (street, town) if p),
            "area": main_area.get(row.id, (0, ""))[1],
            "url": url_for_slug(row.slug),
            "lon": round(row[8], 6),
            "lat": round(row[9], 6),
        }
    return [found[i] for i in ids if i in found]


def point_feature(place: dict) -> dict:
    """Return a GeoJSON point for a place (its position moved from the properties)."""
    properties = {k: v for k, v in place.items() if k not in ("lon", "lat")}
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [place["lon"], place["lat"]]},
        "properties": properties,
    }


def cluster_feature(cell: Cell) -> dict:
    """Return a GeoJSON point standing for the places of one grid cell."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [cell.lon, cell.lat]},
        "properties": {
            "cluster": True,
            "count": cell.count,
            "bbox": [round(v, 6) for v in cell.bbox],  # the cell: zooming in shows its places
        },
    }


def map_conditions(selection: Selection) -> list:
    """Return the SQL conditions of the places on the map; expensive ones as remembered ids."""
    if not selection.needs_offers:
        return selection.located_lernorte()

    def matching_ids() -> str:
        query = select(Location.id).where(*selection.located_lernorte())
        return encode_ids(db.session.scalars(query), db.engine.dialect.name)

    key = ("places", str(db.engine.url), selection.key())
    return [id_filter(Location.id, remember(key, matching_ids))]


def places_extent() -> tuple[float, float, float, float] | None:
    """Return the box around all published located Lernorte (remembered)."""

    def compute():
        x, y = ST_X(Location.geom), ST_Y(Location.geom)
        row = db.session.execute(
            select(func.min(x), func.min(y), func.max(x), func.max(y)).where(
                Location.status == PUBLISHED, Location.geom.isnot(None)
            )
        ).one()
        return None if row[0] is None else tuple(float(v) for v in row)

    return remember(("extent", str(db.engine.url)), compute)


def _contains(outer, inner) -> bool:
    """Tell whether box outer contains box inner."""
    return (
        outer[0] <= inner[0]
        and outer[1] <= inner[1]
        and outer[2] >= inner[2]
        and outer[3] >= inner[3]
    )


def map_features(
    selection: Selection,
    bbox: Sequence[float],
    zoom: int,
    lang: str,
    url_for_slug: UrlForSlug,
    latitude: float,
) -> dict:
    """Return a FeatureCollection of the places in the box: clustered below POINTS_ZOOM."""
    where = map_conditions(selection)
    if zoom >= POINTS_ZOOM:
        ids = db.session.scalars(
            select(Location.id)
            .where(in_box(Location.geom, *bbox), *where)
            .order_by(Location.id)
            .limit(MAX_POINTS + 1)
        ).all()
        if len(ids) <= MAX_POINTS:
            features = [point_feature(p) for p in place_properties(ids, lang, url_for_slug)]
            return _collection(features, total=len(ids), clustered=False)
    grid = grid_for_zoom(zoom, CELL_PX, latitude)
    extent = places_extent()
    key = ("cells", str(db.engine.url), selection.key(), lang, zoom, grid.width)
    features, total = view_cells(
        grid,
        bbox,
        key,
        where,
        # A box holding every place is answered faster by a scan than by index lookups.
        scan=lambda box: extent is not None and _contains(box, extent),
        to_features=lambda cells: _cell_features(cells, lang, url_for_slug),
    )
    return _collection(features, total=total, clustered=True)


def _cell_features(cells: list[Cell], lang: str, url_for_slug: UrlForSlug) -> list[dict]:
    """Return one feature per cell: the place itself if it is alone, else a cluster."""
    singles = [cell.first_id for cell in cells if cell.count == 1]
    places = {p["id"]: p for p in place_properties(singles, lang, url_for_slug)}
    return [
        point_feature(places[cell.first_id])
        if cell.count == 1 and cell.first_id in places
        else cluster_feature(cell)
        for cell in cells
    ]


def _collection(features: list[dict], total: int, clustered: bool) -> dict:
    """Wrap features with the number of places they stand for."""
    return {
        "type": "FeatureCollection",
        "total": total,
        "clustered": clustered,
        "features": features,
    }


def list_places(
    selection: Selection,
    bbox: Sequence[float] | None,
    page: int,
    per_page: int,
    lang: str,
    url_for_slug: UrlForSlug,
) -> tuple[int, list[dict]]:
    """Return the number of places in the box (or everywhere) and one page of them by name."""
    where = map_conditions(selection)
    if bbox is not None:
        where.append(in_box(Location.geom, *bbox))
    total = db.session.scalar(select(func.count()).select_from(Location).where(*where))
    ids = db.session.scalars(
        select(Location.id)
        .where(*where)
        .order_by(Location.name, Location.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return total, place_properties(ids, lang, url_for_slug)


def all_places(selection: Selection, lang: str, url_for_slug: UrlForSlug) -> list[dict]:
    """Return every place of a selection by name (for the static export), in chunks."""
    ids = db.session.scalars(
        select(Location.id).where(*map_conditions(selection)).order_by(Location.name, Location.id)
    ).all()
    places = []
    for start in range(0, len(ids), 2_000):
        places.extend(place_properties(ids[start : start + 2_000], lang, url_for_slug))
    return places
