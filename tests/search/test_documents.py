"""Search documents built from the database: every field, for demo data and edge cases.

The expected documents are built here from the ORM, independently of the Core selects and
the filter registry that kbm_map/finding/documents.py uses.
"""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import select

from kbm_map.extensions import db
from kbm_map.finding.documents import documents
from kbm_map.models import (
    Location,
    Offer,
    OfferSession,
    Organization,
    Region,
    Status,
    Term,
    Vocabulary,
)
from kbm_map.services.taxonomy import kind_synonyms, terms_by_code

PUBLISHED, DRAFT, ARCHIVED = (s.value for s in (Status.PUBLISHED, Status.DRAFT, Status.ARCHIVED))


def german(term: Term) -> str:
    """Return the German label of a term as the index shows it, the code without one."""
    return term.labels.get("de") or term.code


def by_position(terms: list[Term]) -> list[Term]:
    """Return terms in taxonomy order."""
    return sorted(terms, key=lambda t: (t.position, t.code))


def lon_lat(location: Location | None) -> tuple[float | None, float | None]:
    """Return the position of a Lernort read from its geometry, or (None, None)."""
    if location is None or location.geom is None:
        return None, None
    point = to_shape(location.geom)
    return point.x, point.y


def union(lists) -> list[str]:
    """Return the values of several lists once each, in order of first occurrence."""
    return list(dict.fromkeys(v for values in lists for v in values))


def expected_location(loc: Location) -> dict:
    """Return the document a published Lernort should have."""
    lon, lat = lon_lat(loc)
    return {
        "id": f"location:{loc.id}",
        "type": "location",
        "title": loc.name,
        "description": loc.description or "",
        "kind": " ".join((german(loc.kind), *kind_synonyms()[loc.kind.code])) if loc.kind else "",
        "topics": [],
        "provider": loc.organization.name if loc.organization else "",
        "place": loc.address,
        "terms": {
            "type": ["location"],
            "area": [t.code for t in by_position(loc.areas)],
            "kind": [loc.kind.code] if loc.kind else [],
            "language": loc.languages or [],
            "region": [loc.region.code] if loc.region else [],
        },
        "flags": {"step_free": loc.step_free is True},
        "lon": lon,
        "lat": lat,
        "name_sort": loc.name,
    }


def expected_offer(offer: Offer) -> dict:
    """Return the document a published Angebot should have.

    Its position, kind words and place text are those of its first published Lernort (by
    id); its kind, Gemeinde and step-free filter values those of all its published Lernorte.
    """
    public = [loc for loc in sorted(offer.locations, key=lambda x: x.id) if loc.status == PUBLISHED]
    place = public[0] if public else None
    lon, lat = lon_lat(place)
    dates = sorted(s.starts_at.date() for s in offer.sessions)
    located = [expected_location(loc) for loc in public]
    return {
        "id": f"offer:{offer.id}",
        "type": "offer",
        "title": offer.title,
        "description": offer.description or "",
        "kind": located[0]["kind"] if located else "",
        "topics": [german(t) for t in by_position(offer.topics)],
        "provider": offer.organization.name if offer.organization else "",
        "place": f"{place.name}, {place.address}" if place else "",
        "terms": {
            "type": ["offer"],
            "area": [t.code for t in by_position(offer.areas)],
            "kind": union(d["terms"]["kind"] for d in located),
            "topic": [t.code for t in by_position(offer.topics)],
            "target": [t.code for t in by_position(offer.target_groups)],
            "language": offer.languages or [],
            "region": union(d["terms"]["region"] for d in located),
        },
        "flags": {
            "free": offer.cost_kind == "free",
            "step_free": any(d["flags"]["step_free"] for d in located),
            "online": offer.online is True,
        },
        "min_age": offer.min_age,
        "max_age": offer.max_age,
        "dates": dates,
        "start": offer.valid_from or (dates[0] if dates else None),
        "end": offer.valid_until,
        "lon": lon,
        "lat": lat,
        "name_sort": offer.title,
    }


def published(model) -> list:
    """Return the published entries of a model by id."""
    stmt = select(model).where(model.status == PUBLISHED).order_by(model.id)
    return list(db.session.scalars(stmt))


def test_demo_documents_carry_every_field(runner):
    result = runner.invoke(args=["demo", "--locations", "40", "--offers", "200"])
    assert result.exit_code == 0, result.output
    expected = [expected_location(loc) for loc in published(Location)]
    expected += [expected_offer(offer) for offer in published(Offer)]

    found = list(documents())

    assert [d["id"] for d in found] == [d["id"] for d in expected]
    for doc, wanted in zip(found, expected, strict=True):
        assert doc == wanted
    # The demo covers what the comparison is meant to check.
    assert all(d["lon"] for d in found if d["type"] == "location")
    offers = [d for d in found if d["type"] == "offer"]
    assert any(len(d["topics"]) > 1 for d in offers) and any(len(d["dates"]) > 1 for d in offers)
    assert all(d["terms"]["region"] and d["terms"]["kind"] for d in offers)


def test_documents_of_chosen_entries_only(runner):
    runner.invoke(args=["demo", "--locations", "20", "--offers", "40"])
    locations, offers = published(Location), published(Offer)
    drafts = db.session.scalars(select(Offer.id).where(Offer.status != PUBLISHED)).all()
    wanted_locations = [locations[1].id, locations[3].id]
    wanted_offers = [offers[0].id, offers[5].id, *drafts]

    assert [d["id"] for d in documents(wanted_locations, [])] == [
        f"location:{i}" for i in wanted_locations
    ]
    assert [d["id"] for d in documents([], wanted_offers)] == [
        f"offer:{offers[0].id}",
        f"offer:{offers[5].id}",
    ]
    assert [d["id"] for d in documents(None, [])] == [f"location:{x.id}" for x in locations]
    assert list(documents([], [])) == []


@pytest.fixture()
def entries(app_ctx) -> SimpleNamespace:
    """Return the ids of hand-made Lernorte and Angebote covering the edge cases."""
    kinds = terms_by_code(Vocabulary.LOCATION_KIND)
    areas = terms_by_code(Vocabulary.AREA)
    topics = terms_by_code(Vocabulary.TOPIC)
    groups = terms_by_code(Vocabulary.TARGET_GROUP)
    # Added last but sorted first: taxonomy order is not the order of ids.
    chess = Term(vocabulary="topic", code="schach", labels={"en": "Chess"}, position=-1)
    town = Region(code="06999001", name="Testdorf")
    provider = Organization(name="Stadt Testdorf")
    e = SimpleNamespace()
    e.closed = Location(
        slug="alte-vhs",
        name="Alte VHS",
        status=ARCHIVED,
        kind=kinds["volkshochschule"],
        geom="SRID=4326;POINT(9.1 50.1)",
        region=town,
    )
    e.vhs = Location(
        slug="vhs",
        name="VHS Testdorf",
        status=PUBLISHED,
        kind=kinds["volkshochschule"],
        description="Kurse für alle",
        street="Markt",
        house_number="3",
        postcode="36999",
        city="Testdorf",
        region=town,
        geom="SRID=4326;POINT(9.6875 50.5625)",
        organization=provider,
        languages=["de", "tr"],
        step_free=True,
        areas=[areas["non_formale_bildung"], areas["weiterbildung"]],
    )
    e.bare = Location(slug="treff", name="Treffpunkt", status=PUBLISHED, languages=None)
    e.draft = Location(
        slug="neu", name="Neue Bibliothek", status=DRAFT, kind=kinds["bibliothek"], city="X"
    )
    e.spread = Offer(
        slug="deutsch",
        title="Deutsch A1",
        status=PUBLISHED,
        organization=provider,
        locations=[e.bare, e.closed, e.vhs],
        cost_kind="free",
        min_age=16,
        languages=["de"],
        areas=[areas["weiterbildung"]],
        topics=[topics["familie"], chess, topics["sprache"]],
        target_groups=[groups["neuzugewanderte"], groups["erwachsene"]],
        valid_until=date(2027, 6, 30),
        sessions=[
            OfferSession(starts_at=datetime(2027, 3, 2, 18)),
            OfferSession(starts_at=datetime(2027, 2, 23, 18)),
            OfferSession(starts_at=datetime(2027, 3, 2, 10), ends_at=datetime(2027, 3, 2, 12)),
        ],
    )
    e.online = Offer(
        slug="online",
        title="Online-Sprechstunde",
        status=PUBLISHED,
        online=True,
        valid_from=date(2027, 1, 1),
        sessions=[OfferSession(starts_at=datetime(2027, 2, 1, 9))],
    )
    e.hidden_place = Offer(
        slug="versteckt", title="Lesestunde", status=PUBLISHED, locations=[e.draft, e.closed]
    )
    e.draft_offer = Offer(slug="entwurf", title="Entwurf", status=DRAFT, locations=[e.vhs])
    e.old_offer = Offer(slug="alt", title="Vorbei", status=ARCHIVED, locations=[e.vhs])
    db.session.add_all([e.closed, e.vhs, e.bare, e.draft])
    db.session.flush()  # ids in creation order: the archived Lernort comes first
    db.session.add_all([e.spread, e.online, e.hidden_place, e.draft_offer, e.old_offer])
    db.session.commit()
    # Ids only: the objects may be detached once documents are built.
    return SimpleNamespace(**{name: entry.id for name, entry in vars(e).items()})


def document(doc_id: str) -> dict:
    """Return the one document with that id."""
    kind, _, number = doc_id.partition(":")
    ids = [int(number)]
    (doc,) = documents(ids, []) if kind == "location" else documents([], ids)
    return doc


def test_location_document(entries):
    assert document(f"location:{entries.vhs}") == {
        "id": f"location:{entries.vhs}",
        "type": "location",
        "title": "VHS Testdorf",
        "description": "Kurse für alle",
        "kind": "Volkshochschule VHS",
        "topics": [],
        "provider": "Stadt Testdorf",
        "place": "Markt 3, 36999 Testdorf",
        "terms": {
            "type": ["location"],
            "area": ["weiterbildung", "non_formale_bildung"],
            "kind": ["volkshochschule"],
            "language": ["de", "tr"],
            "region": ["06999001"],
        },
        "flags": {"step_free": True},
        "lon": 9.6875,
        "lat": 50.5625,
        "name_sort": "VHS Testdorf",
    }


def test_location_without_position_region_organization_or_kind(entries):
    assert document(f"location:{entries.bare}") == {
        "id": f"location:{entries.bare}",
        "type": "location",
        "title": "Treffpunkt",
        "description": "",
        "kind": "",
        "topics": [],
        "provider": "",
        "place": "",
        "terms": {"type": ["location"], "area": [], "kind": [], "language": [], "region": []},
        "flags": {"step_free": False},
        "lon": None,
        "lat": None,
        "name_sort": "Treffpunkt",
    }


def test_offer_is_placed_at_its_first_public_lernort(entries):
    doc = document(f"offer:{entries.spread}")
    # Linked: the archived Alte VHS (lowest id), then VHS Testdorf, then Treffpunkt.
    assert doc["place"] == "VHS Testdorf, Markt 3, 36999 Testdorf"
    assert (doc["kind"], doc["terms"]["kind"]) == ("Volkshochschule VHS", ["volkshochschule"])
    assert (doc["terms"]["region"], doc["flags"]["step_free"], doc["lon"], doc["lat"]) == (
        ["06999001"],
        True,
        9.6875,
        50.5625,
    )


def test_offer_takes_place_filters_from_all_its_public_lernorte(entries):
    elsewhere = Region(code="06999002", name="Nachbardorf")
    library = Location(
        slug="bib",
        name="Bücherei Nachbardorf",
        status=PUBLISHED,
        kind=terms_by_code(Vocabulary.LOCATION_KIND)["bibliothek"],
        region=elsewhere,
    )
    db.session.add(library)
    offer = db.session.get(Offer, entries.spread)
    offer.locations.append(library)
    db.session.commit()
    doc = document(f"offer:{entries.spread}")
    assert doc["terms"]["kind"] == ["volkshochschule", "bibliothek"]
    assert doc["terms"]["region"] == ["06999001", "06999002"]
    assert doc["place"] == "VHS Testdorf, Markt 3, 36999 Testdorf"  # still the first one


def test_offer_fields_terms_and_dates(entries):
    doc = document(f"offer:{entries.spread}")
    assert all(type(value) is bool for value in doc["flags"].values())
    assert {k: v for k, v in doc.items() if k not in {"place", "kind", "lon", "lat"}} == {
        "id": f"offer:{entries.spread}",
        "type": "offer",
        "title": "Deutsch A1",
        "description": "",
        "topics": ["schach", "Sprachen und Deutsch als Zweitsprache", "Familie und Erziehung"],
        "provider": "Stadt Testdorf",
        "terms": {
            "type": ["offer"],
            "area": ["weiterbildung"],
            "kind": ["volkshochschule"],
            "topic": ["schach", "sprache", "familie"],
            "target": ["erwachsene", "neuzugewanderte"],
            "language": ["de"],
            "region": ["06999001"],
        },
        "flags": {"free": True, "step_free": True, "online": False},
        "min_age": 16,
        "max_age": None,
        "dates": [date(2027, 2, 23), date(2027, 3, 2), date(2027, 3, 2)],
        "start": date(2027, 2, 23),
        "end": date(2027, 6, 30),
        "name_sort": "Deutsch A1",
    }


def test_offer_without_lernort(entries):
    doc = document(f"offer:{entries.online}")
    assert doc == {
        "id": f"offer:{entries.online}",
        "type": "offer",
        "title": "Online-Sprechstunde",
        "description": "",
        "kind": "",
        "topics": [],
        "provider": "",
        "place": "",
        "terms": {
            "type": ["offer"],
            "area": [],
            "kind": [],
            "topic": [],
            "target": [],
            "language": [],
            "region": [],
        },
        "flags": {"free": False, "step_free": False, "online": True},
        "min_age": None,
        "max_age": None,
        "dates": [date(2027, 2, 1)],
        "start": date(2027, 1, 1),
        "end": None,
        "lon": None,
        "lat": None,
        "name_sort": "Online-Sprechstunde",
    }


def test_offer_at_unpublished_lernorte_only_has_no_place(entries):
    doc = document(f"offer:{entries.hidden_place}")
    place = {k: doc[k] for k in ("kind", "place", "lon")}
    assert place == {"kind": "", "place": "", "lon": None}
    assert (doc["terms"]["kind"], doc["terms"]["region"], doc["flags"]["step_free"]) == (
        [],
        [],
        False,
    )
    assert (doc["lat"], doc["dates"], doc["start"]) == (None, [], None)


def test_only_published_entries_have_documents(entries):
    assert [d["id"] for d in documents()] == [
        f"location:{entries.vhs}",
        f"location:{entries.bare}",
        f"offer:{entries.spread}",
        f"offer:{entries.online}",
        f"offer:{entries.hidden_place}",
    ]
    every = [entries.closed, entries.vhs, entries.bare, entries.draft]
    assert [d["id"] for d in documents(every, [])] == [
        f"location:{entries.vhs}",
        f"location:{entries.bare}",
    ]
    offers = [entries.draft_offer, entries.old_offer, entries.online]
    assert [d["id"] for d in documents([], offers)] == [f"offer:{entries.online}"]
