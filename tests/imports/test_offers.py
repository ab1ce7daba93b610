"""Angebote from a file: fields, Lernort references, sessions, costs, refresh."""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from kbm_map.extensions import db
from kbm_map.models import AuditEntry, Offer
from kbm_map.services.imports import run_import

PLACES = (
    "ID,Name,Adresse,Breite,Länge\n"
    '1,Grundschule Uttrichshausen,"Schulstraße 1, 36148 Kalbach",50.411207,9.728713\n'
    '2,VHS Fulda,"Gallasiniring 30, 36043 Fulda",50.5489,9.6925\n'
    '3,Bildungsberatung Fulda,"Am Markt 3a, 36037 Fulda",50.5518,9.6833\n'
)
PLACES_MAPPING = """
[import]
target = "location"
id = "ID"
[columns]
name = "Name"
address = "Adresse"
lat = "Breite"
lon = "Länge"
"""
COLUMNS = (
    *("Nr", "Titel", "Art", "Ort", "Online", "Bereiche", "Themen", "Zielgruppen", "Alter von"),
    *("Alter bis", "Sprachen", "Kosten", "Förderung", "Anmeldung", "Telefon", "E-Mail"),
    *("Termine", "Rhythmus", "Gültig bis", "Anbieter"),
)
COURSE = {
    "Nr": "K1",
    "Titel": "Deutschkurs A1",
    "Art": "Kurs",
    "Ort": "2",
    "Online": "nein",
    "Bereiche": "weiterbildung",
    "Themen": "sprache",
    "Zielgruppen": "Neuzugewanderte",
    "Alter von": "16",
    "Sprachen": "de, ar",
    "Kosten": "12,50 €",
    "Förderung": "Bildungsgutschein",
    "Anmeldung": "www.vhs-fulda.de",
    "Telefon": "0661 123",
    "E-Mail": "kurse@vhs-fulda.de",
    "Termine": "02.03.2026 18:00-19:30 | 09.03.2026 18:00-19:30",
    "Gültig bis": "31.03.2026",
    "Anbieter": "VHS Fulda",
}
COUNSELLING = {
    "Nr": "B1",
    "Titel": "Lernberatung",
    "Art": "Beratung",
    "Ort": "orte:1|3",
    "Online": "ja",
    "Bereiche": "bildungsberatung",
    "Themen": "beruf",
    "Zielgruppen": "erwachsene",
    "Sprachen": "de",
    "Kosten": "kostenlos",
    "Rhythmus": "FREQ=WEEKLY;BYDAY=MO",
    "Anbieter": "Landkreis Fulda",
}
OFFERS_MAPPING = """
[import]
target = "offer"
id = "Nr"
[columns]
title = "Titel"
offer_type = "Art"
online = "Online"
areas = "Bereiche"
topics = "Themen"
target_groups = "Zielgruppen"
min_age = "Alter von"
max_age = "Alter bis"
languages = "Sprachen"
cost = "Kosten"
funding = "Förderung"
registration_url = "Anmeldung"
registration_phone = "Telefon"
registration_email = "E-Mail"
recurrence = "Rhythmus"
valid_until = "Gültig bis"
organization = "Anbieter"
[columns.locations]
column = "Ort"
separator = "|"
[columns.sessions]
column = "Termine"
separator = "|"
"""


@pytest.fixture
def offers_file(app_ctx, tmp_path):
    """Import three Lernorte as source 'orte'; return a writer for offer files and mapping."""
    (tmp_path / "orte.csv").write_text(PLACES, encoding="utf-8")
    (tmp_path / "orte.toml").write_text(PLACES_MAPPING, encoding="utf-8")
    (tmp_path / "kurse.toml").write_text(OFFERS_MAPPING, encoding="utf-8")
    run_import(tmp_path / "orte.csv", tmp_path / "orte.toml", "orte", update_index=False)

    def write(*rows: dict):
        path = tmp_path / "kurse.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        return path, tmp_path / "kurse.toml"

    return write


def offer(external_id: str) -> Offer:
    """Return an imported Angebot."""
    return db.session.scalars(select(Offer).where(Offer.external_id == external_id)).one()


def test_offer_fields_are_read_the_way_offices_write_them(offers_file):
    summary = run_import(*offers_file(COURSE, COUNSELLING), "kurse", update_index=False)
    assert (summary.new, summary.rejected, summary.warnings) == (2, [], [])
    course = offer("K1")
    assert (course.title, course.offer_type, course.online, course.status) == (
        "Deutschkurs A1",
        "course",
        False,
        "published",
    )
    assert [place.name for place in course.locations] == ["VHS Fulda"]
    assert (course.cost_kind, course.cost_amount, course.funding) == (
        "amount",
        Decimal("12.50"),
        "Bildungsgutschein",
    )
    assert (course.min_age, course.max_age, course.languages) == (16, None, ["de", "ar"])
    assert (course.registration_url, course.registration_email) == (
        "https://www.vhs-fulda.de",
        "kurse@vhs-fulda.de",
    )
    assert [(s.starts_at, s.ends_at) for s in course.sessions] == [
        (datetime(2026, 3, 2, 18, 0), datetime(2026, 3, 2, 19, 30)),
        (datetime(2026, 3, 9, 18, 0), datetime(2026, 3, 9, 19, 30)),
    ]
    assert course.valid_until == date(2026, 3, 31)
    assert [t.code for t in (*course.areas, *course.topics, *course.target_groups)] == [
        "weiterbildung",
        "sprache",
        "neuzugewanderte",
    ]
    assert course.organization.name == "VHS Fulda"
    counselling = offer("B1")
    assert (counselling.offer_type, counselling.online, counselling.cost_kind) == (
        "counselling",
        True,
        "free",
    )
    assert sorted(place.name for place in counselling.locations) == [
        "Bildungsberatung Fulda",
        "Grundschule Uttrichshausen",
    ]
    assert (counselling.recurrence, counselling.sessions) == ("FREQ=WEEKLY;BYDAY=MO", [])


def test_unknown_codes_are_left_out_with_a_warning(offers_file):
    course = {**COURSE, "Themen": "sprache; astrologie"}
    summary = run_import(*offers_file(course), "kurse", update_index=False)
    assert summary.warnings == [
        "file kurse.csv, row 2, field topics: 'astrologie' is not a known code of the taxonomy; "
        "left out"
    ]
    assert [t.code for t in offer("K1").topics] == ["sprache"]


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"Ort": "99"}, "locations", "no Lernort with the id(s) 99"),
        ({"Alter von": "zehn"}, "min_age", "'zehn' is not a whole number"),
        ({"Alter bis": "12"}, "max_age", "max_age 12 is below min_age 16"),
        ({"Termine": "31.02.2026 18:00"}, "sessions", "'31.02.2026 18:00' is not a valid date"),
        ({"Art": "Picknick"}, "offer_type", "'Picknick' is not a type of offer"),
        ({"Gültig bis": "bald"}, "valid_until", "'bald' is not a date"),
    ],
)
def test_bad_values_reject_the_row_naming_the_field(offers_file, change, field, reason):
    summary = run_import(
        *offers_file({**COURSE, **change}, COUNSELLING), "kurse", update_index=False
    )
    assert summary.new == 1
    [rejected] = summary.rejected
    assert (rejected.row, rejected.field) == (2, field)
    assert reason in rejected.reason


def test_refresh_writes_only_the_changed_sessions(offers_file):
    run_import(*offers_file(COURSE, COUNSELLING), "kurse", update_index=False)
    before = {o.external_id: o.updated_at for o in db.session.scalars(select(Offer))}
    moved = {**COURSE, "Termine": "02.03.2026 18:00-19:30 | 16.03.2026 18:00-19:30"}
    summary = run_import(*offers_file(moved, COUNSELLING), "kurse", update_index=False)
    assert (summary.changed, summary.unchanged) == (1, 1)
    assert offer("B1").updated_at == before["B1"]
    assert offer("K1").updated_at > before["K1"]
    changes = db.session.scalars(
        select(AuditEntry.changes).where(AuditEntry.action == "update")
    ).one()
    assert changes == {
        "sessions": [
            ["2026-03-02T18:00:00/2026-03-02T19:30:00", "2026-03-09T18:00:00/2026-03-09T19:30:00"],
            ["2026-03-02T18:00:00/2026-03-02T19:30:00", "2026-03-16T18:00:00/2026-03-16T19:30:00"],
        ]
    }
