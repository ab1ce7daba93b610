"""Turn mapped records into planned rows: taxonomy terms, providers, positions, Lernort links."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import String, select

from ..extensions import db
from ..geo.gazetteer import Gazetteer, gazetteer_size
from ..importers import (
    LocationRecord,
    MappedRecord,
    Mapping,
    OfferRecord,
    Rejection,
    RowWarning,
)
from ..models import Location, Offer, OfferSession, Organization, Term, Vocabulary
from ..models.offer import offer_locations
from ..models.taxonomy import location_areas, offer_areas, offer_target_groups, offer_topics
from .stored import Link, Planned, Spec
from .upsert import insert_by_external_id

LOCATION_SPEC = Spec(
    model=Location,
    entity="location",
    label="name",
    columns=(
        *("name", "description", "street", "house_number", "postcode", "city"),
        *("email", "phone", "website", "opening_hours", "opening_hours_note", "languages"),
        *("step_free", "accessible_toilet", "parking", "induction_loop", "sign_language"),
        *("accessibility_note", "kind_id", "organization_id", "checked_at"),
    ),
    links=(Link("areas", location_areas, "location_id", ("term_id",)),),
    has_geom=True,
    defaults={"languages": []},
)
OFFER_SPEC = Spec(
    model=Offer,
    entity="offer",
    label="title",
    columns=(
        *("title", "description", "offer_type", "organization_id", "online", "min_age"),
        *("max_age", "languages", "cost_kind", "cost_amount", "cost_note", "funding"),
        *("registration_url", "registration_phone", "registration_email", "recurrence"),
        *("schedule_note", "valid_from", "valid_until", "checked_at"),
    ),
    links=(
        Link("locations", offer_locations, "offer_id", ("location_id",)),
        Link("areas", offer_areas, "offer_id", ("term_id",)),
        Link("topics", offer_topics, "offer_id", ("term_id",)),
        Link("target_groups", offer_target_groups, "offer_id", ("term_id",)),
        Link("sessions", OfferSession.__table__, "offer_id", ("starts_at", "ends_at"), True),
    ),
    has_geom=False,
    defaults={"offer_type": "course", "online": False, "cost_kind": "unknown", "languages": []},
)
# Record fields that fill several columns, or a column of another name.
_LOCATION_FIELDS = {"kind": "kind_id", "organization": "organization_id"}
_OFFER_FIELDS = {
    "organization": "organization_id",
    "cost": ("cost_kind", "cost_amount", "cost_note"),
}


@dataclass
class PlanStats:
    """What planning found beyond the rows themselves."""

    geocoded: Counter = field(default_factory=Counter)  # precision -> rows
    unplaced: list[tuple[str, int, str, str]] = field(default_factory=list)  # file, row, id, name
    warnings: list[str] = field(default_factory=list)
    warned_rows: set[int] = field(default_factory=set)  # rows (of the one file) with a warning

    def warn(self, result: MappedRecord, warnings: Iterable[RowWarning]) -> None:
        """Record warnings about a row: as lines naming file, row and field, and the row."""
        lines = [result.describe(warning) for warning in warnings]
        if lines:
            self.warnings.extend(lines)
            self.warned_rows.add(result.row)


def term_ids(vocabulary: Vocabulary) -> dict[str, int]:
    """Return {code or folded German label: term id} for one vocabulary."""
    found: dict[str, int] = {}
    for term in db.session.scalars(select(Term).where(Term.vocabulary == vocabulary.value)):
        found.setdefault(term.label("de").casefold(), term.id)
        found[term.code.casefold()] = term.id
    return found


def term_codes() -> dict[int, str]:
    """Return {term id: code}, for describing changes in the audit trail."""
    return dict(db.session.execute(select(Term.id, Term.code)).all())


class Providers:
    """Organizations of one source, found or created by name."""

    def __init__(self, source: str):
        """Read the source's organizations."""
        self.source = source
        stmt = select(Organization.name, Organization.id).where(Organization.source == source)
        self.ids = dict(db.session.execute(stmt).all())

    def resolve(self, names: set[str]) -> dict[str, int]:
        """Return ids for the names, creating the missing organizations in one insert."""
        missing = sorted(n for n in names if n not in self.ids)
        if missing:
            rows = [{"name": n, "source": self.source, "external_id": n[:128]} for n in missing]
            ids = insert_by_external_id(Organization.__table__, self.source, rows)
            self.ids.update(zip(missing, ids, strict=True))
        return self.ids


class Planner:
    """Plan rows of one target; subclasses fill in the columns."""

    spec: Spec
    fields_to_columns: dict

    def __init__(self, mapping: Mapping, source: str):
        """Prepare lookups for the whole run."""
        self.mapping = mapping
        self.providers = Providers(source)
        self.stats = PlanStats()
        self.areas = term_ids(Vocabulary.AREA)
        self._known_terms: dict[tuple, tuple] = {}
        self.filled = mapping.filled_fields()
        filled = self._filled_columns()
        self.columns = [name for name in self.spec.columns if name in filled]
        self._limits = [
            (c.name, c.type.length)
            for c in self.spec.model.__table__.columns
            if isinstance(c.type, String) and c.type.length and c.name in filled
        ]

    def _filled_columns(self) -> set[str]:
        """Return the columns the mapping fills; the import leaves the others alone."""
        columns = set()
        for name in self.filled:
            target = self.fields_to_columns.get(name, name)
            columns.update(target if isinstance(target, tuple) else (target,))
        return columns & set(self.spec.columns)

    def plan(self, chunk: list[MappedRecord]) -> list[Planned | Rejection]:
        """Plan a chunk of mapped records; rows that cannot be written become rejections."""
        names = {r.record.organization for r in chunk if r.record.organization}
        orgs = self.providers.resolve({n for n in names if len(n) <= 255})
        self.prepare(chunk)
        planned: list[Planned | Rejection] = []
        for result in chunk:
            self.stats.warn(result, result.warnings)
            try:
                planned.append(self.plan_one(result, orgs))
            except RowRejectedError as problem:
                key = result.record.external_id  # still in the file: not withdrawn
                planned.append(
                    Rejection(result.file, result.row, problem.field, problem.reason, key)
                )
        return planned

    def prepare(self, chunk: list[MappedRecord]) -> None:
        """Load what the chunk's rows need (gazetteer entries)."""

    def plan_one(self, result: MappedRecord, orgs: dict[str, int]) -> Planned:
        """Plan one row."""
        raise NotImplementedError

    def _values(self, record, computed: dict) -> dict:
        """Return the filled columns (computed, else the record's) with text lengths checked."""
        values = {
            name: computed[name] if name in computed else getattr(record, name)
            for name in self.columns
        }
        for name, limit in self._limits:
            value = values[name]
            if value is not None and len(value) > limit:
                raise RowRejectedError(
                    name, f"{name} has {len(value)} characters; at most {limit} fit"
                )
        if "checked_at" in values and values["checked_at"] is None:
            del values["checked_at"]  # an import never clears the date staff last checked
        return values

    def _organization(self, record, orgs: dict[str, int]) -> int | None:
        """Return the provider's organization id."""
        if record.organization and len(record.organization) > 255:
            raise RowRejectedError(
                "organization", "the organization's name is longer than 255 characters"
            )
        return orgs.get(record.organization) if record.organization else None

    def _terms(self, result: MappedRecord, name: str, codes: list[str], known: dict) -> tuple:
        """Return the term ids of codes; unknown codes are left out with a warning."""
        key = (name, *codes)
        found = self._known_terms.get(key)
        if found is not None:
            return found  # rows repeat the same few combinations of codes
        ids = []
        for code in codes:
            term = known.get(code.casefold())
            if term is None:
                message = f"{code!r} is not a known code of the taxonomy; left out"
                self.stats.warn(result, [RowWarning(name, message)])
            else:
                ids.append(term)
        found = tuple(sorted({(i,) for i in ids}))
        if len(ids) == len(codes):  # a combination with an unknown code warns every time
            self._known_terms[key] = found
        return found


class RowRejectedError(Exception):
    """A planned row that cannot be written."""

    def __init__(self, field: str, reason: str):
        """Remember the field and the reason."""
        super().__init__(reason)
        self.field, self.reason = field, reason


class LocationPlanner(Planner):
    """Plan Lernorte: kind and areas as terms, provider, position (geocoded if missing)."""

    spec = LOCATION_SPEC
    fields_to_columns = _LOCATION_FIELDS

    def __init__(self, mapping: Mapping, source: str):
        """Prepare kinds, areas and the gazetteer."""
        super().__init__(mapping, source)
        self.kinds = term_ids(Vocabulary.LOCATION_KIND)
        self.has_gazetteer = gazetteer_size() > 0
        self.gazetteer = Gazetteer([])

    def prepare(self, chunk: list[MappedRecord]) -> None:
        """Load the gazetteer entries of the postcodes of rows without a position."""
        if self.has_gazetteer:
            wanted = {r.record.postcode for r in chunk if r.record.lon is None}
            self.gazetteer = Gazetteer.load(wanted)

    def plan_one(self, result: MappedRecord, orgs: dict[str, int]) -> Planned:
        """Plan one Lernort."""
        record: LocationRecord = result.record
        kind_id = None
        if record.kind:
            kind_id = self.kinds.get(record.kind.casefold())
            if kind_id is None:
                message = (
                    f"{record.kind!r} is not in the taxonomy (run `kbm-map init-db`); left out"
                )
                self.stats.warn(result, [RowWarning("kind", message)])
        columns = {"kind_id": kind_id, "organization_id": self._organization(record, orgs)}
        links = {}
        if self.filled & {"areas", "kind"}:
            links["areas"] = self._terms(result, "areas", record.areas, self.areas)
        geom, precision = self._position(result)
        return Planned(
            file=result.file,
            row=result.row,
            external_id=record.external_id,
            label=record.name,
            values=self._values(record, columns),
            links=links,
            geom=geom,
            precision=precision,
            city=record.city,
        )

    def _position(self, result: MappedRecord) -> tuple[tuple[float, float] | None, str | None]:
        """Return the row's position (from the file, else the gazetteer) and its precision."""
        record: LocationRecord = result.record
        if record.lon is not None and record.lat is not None:
            return (record.lon, record.lat), None
        hit = self.gazetteer.locate(record.postcode, record.city)
        if hit is None:
            self.stats.unplaced.append((result.file, result.row, record.external_id, record.name))
            return None, None
        self.stats.geocoded[hit.precision] += 1
        return (hit.lon, hit.lat), hit.precision


class OfferPlanner(Planner):
    """Plan Angebote: terms, provider, the Lernorte they are held at, and sessions."""

    spec = OFFER_SPEC
    fields_to_columns = _OFFER_FIELDS

    def __init__(self, mapping: Mapping, source: str):
        """Prepare the taxonomies and the ids of all Lernorte by source and external id."""
        super().__init__(mapping, source)
        self.source = source
        self.topics = term_ids(Vocabulary.TOPIC)
        self.groups = term_ids(Vocabulary.TARGET_GROUP)
        self.places: dict[tuple[str, str], int] = {}
        self.by_id: dict[str, list[tuple[str, int]]] = defaultdict(list)
        if "locations" in self.filled:
            stmt = select(Location.source, Location.external_id, Location.id).where(
                Location.external_id.isnot(None)
            )
            for place_source, external_id, location_id in db.session.execute(stmt):
                self.places[place_source or "", external_id] = location_id
                self.by_id[external_id].append((place_source or "", location_id))

    def plan_one(self, result: MappedRecord, orgs: dict[str, int]) -> Planned:
        """Plan one Angebot."""
        record: OfferRecord = result.record
        columns = {
            "organization_id": self._organization(record, orgs),
            "offer_type": record.offer_type or "course",
            "online": bool(record.online),
            "cost_kind": record.cost_kind or "unknown",
        }
        links = {}
        if "locations" in self.filled:
            links["locations"] = self._places(result)
        for name, codes, known in (
            ("areas", record.areas, self.areas),
            ("topics", record.topics, self.topics),
            ("target_groups", record.target_groups, self.groups),
        ):
            if name in self.filled:
                links[name] = self._terms(result, name, codes, known)
        if "sessions" in self.filled:
            links["sessions"] = OFFER_SPEC.links[-1].sorted(record.sessions)
        return Planned(
            file=result.file,
            row=result.row,
            external_id=record.external_id,
            label=record.title,
            values=self._values(record, columns),
            links=links,
        )

    def _places(self, result: MappedRecord) -> tuple:
        """Resolve Lernort references: 'id' (this source, else the one having it), 'source:id'."""
        found, missing = set(), []
        for ref in result.record.locations:
            location_id = self._place(ref)
            if location_id is None:
                missing.append(ref)
            else:
                found.add((location_id,))
        if missing and not found:
            raise RowRejectedError(
                "locations",
                f"no Lernort with the id(s) {', '.join(missing)} (import the Lernorte first, "
                "or write source:id)",
            )
        self.stats.warn(
            result,
            [
                RowWarning("locations", f"no Lernort with the id {ref!r}; left out")
                for ref in missing
            ],
        )
        return tuple(sorted(found))

    def _place(self, ref: str) -> int | None:
        """Return the id of the Lernort a reference names, or None if none or several fit."""
        if (self.source, ref) in self.places:
            return self.places[self.source, ref]
        candidates = self.by_id.get(ref, [])
        if len(candidates) == 1:
            return candidates[0][1]
        place_source, _, external_id = ref.partition(":")
        if external_id:
            return self.places.get((place_source, external_id))
        return None
