"""Angebote without a database: dates and sessions, costs, offer types, the offer mapping."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from kbm_map.importers import ImportFileError, parse_mapping
from kbm_map.importers.schedule import parse_date, parse_session
from kbm_map.importers.values import BadValueError, normalize_offer_type, parse_cost

EVENING = (datetime(2026, 3, 2, 18, 0), datetime(2026, 3, 2, 19, 30))


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-02T18:00/2026-03-02T19:30",
        "2026-03-02T18:00:00/19:30",
        "02.03.2026 18:00-19:30",
        "02.03.2026 18:00 – 19:30 Uhr",
        "Mo., 02.03.2026, 18:00 Uhr bis 19:30",
        "2.3.26 18.00 - 19.30",
    ],
)
def test_sessions_in_the_usual_spellings(text):
    assert parse_session(text) == EVENING


def test_session_over_midnight_and_without_end_and_with_offset():
    assert parse_session("02.03.2026 22:00-01:00") == (
        datetime(2026, 3, 2, 22, 0),
        datetime(2026, 3, 3, 1, 0),
    )
    assert parse_session("2026-03-02 18:00") == (datetime(2026, 3, 2, 18, 0), None)
    # A time with an offset becomes German local time (CET in March).
    assert parse_session("2026-03-02T17:00:00Z") == (datetime(2026, 3, 2, 18, 0), None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("zehn Uhr", "is not a date and time"),
        ("31.02.2026 18:00", "is not a valid date"),
        ("2026-03-02T18:00/2026-03-01T10:00", "ends before it starts"),
    ],
)
def test_bad_sessions_say_why(text, message):
    with pytest.raises(BadValueError, match=message):
        parse_session(text)


def test_dates():
    assert parse_date("31.12.2026") == parse_date("2026-12-31") == date(2026, 12, 31)
    with pytest.raises(BadValueError, match="give only the date"):
        parse_date("31.12.2026 10:00")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12,50 €", ("amount", Decimal("12.50"), None)),
        ("EUR 30,-", ("amount", Decimal("30.00"), None)),
        ("1.250,00", ("amount", Decimal("1250.00"), None)),
        (7, ("amount", Decimal("7.00"), None)),
        ("kostenlos", ("free", None, None)),
        ("0,00", ("free", None, None)),
        ("ab 20 Euro", ("text", None, "ab 20 Euro")),
        ("", (None, None, None)),
    ],
)
def test_costs(value, expected):
    assert parse_cost(value) == expected


def test_offer_types_in_german():
    assert [normalize_offer_type(w) for w in ("Kurs", "Beratung", "Veranstaltung", "service")] == [
        "course",
        "counselling",
        "event",
        "service",
    ]
    with pytest.raises(BadValueError, match="translate it in the mapping"):
        normalize_offer_type("Picknick")


def test_offer_mapping_fills_the_fields_it_names(write, run):
    mapping = parse_mapping(
        """
        [import]
        target = "offer"
        id = "Nr"
        status = "draft"
        licence = "CC-BY-4.0"
        [columns]
        title = "Titel"
        cost = "Gebühr"
        starts_at = "Beginn"
        ends_at = "Ende"
        locations = "Ort"
        [defaults]
        offer_type = "Veranstaltung"
        """,
        "vhs.toml",
    )
    assert (mapping.status, mapping.licence) == ("draft", "CC-BY-4.0")
    assert mapping.filled_fields() == {
        "title",
        "cost_kind",
        "cost_amount",
        "cost_note",
        "sessions",
        "locations",
        "offer_type",
    }
    path = write(
        "vhs.csv",
        "Nr;Titel;Gebühr;Beginn;Ende;Ort\n"
        "7;Vortrag Klimawandel;5 €;02.03.2026 18:00;19:30;vhs-1, vhs-2\n",
    )
    [mapped], rejected = run(path, mapping)
    assert rejected == []
    record = mapped.record
    assert (record.external_id, record.offer_type, record.cost_kind, record.cost_amount) == (
        "7",
        "event",
        "amount",
        Decimal("5.00"),
    )
    assert (record.sessions, record.locations) == ([EVENING], ["vhs-1", "vhs-2"])


def test_offer_mapping_needs_an_id_and_a_known_status():
    with pytest.raises(ImportFileError, match="id is missing"):
        parse_mapping('[import]\ntarget = "offer"\n[columns]\ntitle = "T"\n')
    with pytest.raises(ImportFileError, match="status must be one of published, draft"):
        parse_mapping(
            '[import]\ntarget = "offer"\nid = "N"\nstatus = "x"\n[columns]\ntitle = "T"\n'
        )
