"""Coverage indicators on the real Fulda files, and listings reconstructed at past dates."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from kbm_map.extensions import db
from kbm_map.finding import parse_params
from kbm_map.models import AuditEntry, Location, Offer, Region, Status, Vocabulary
from kbm_map.monitoring.indicators import coverage, relevant_ages
from kbm_map.services.taxonomy import terms_by_code
from tests.monitoring.population_files import FULDA, GENESIS, kbm


def params(*pairs):
    """Return validated search parameters."""
    return parse_params(MultiDict(pairs))


def test_every_gemeinde_has_its_population_and_schools_per_1000(fulda):
    figures = coverage(params(("area", "schule")))
    assert len(figures.areas) == 23
    by_code = {a.code: a for a in figures.areas}
    assert by_code[FULDA].population.value == 69_968
    assert by_code[FULDA].population.reference_date == dt.date(2022, 12, 31)
    schools = Counter(
        db.session.scalars(select(Region.code).join(Location, Location.region_id == Region.id))
    )
    for area in figures.areas:
        assert area.lernorte == schools[area.code]
        assert area.value("lernorte_je_1000") == pytest.approx(
            schools[area.code] * 1000 / area.population.value
        )
    assert figures.total.lernorte == 105 == sum(schools.values())
    assert figures.total.population.value == sum(a.population.value for a in figures.areas)
    assert figures.population_dates == [dt.date(2022, 12, 31)]
    assert any("Destatis" in line for line in figures.population_sources)
    assert not figures.estimated


def test_age_group_figures_are_estimated_from_the_kreis(fulda, runner, shared_data):
    result = kbm(runner, "population", "import", shared_data / GENESIS, "-m",
                 "genesis-12411-altersgruppen")  # fmt: skip
    assert result.exit_code == 0, result.output
    figures = coverage(params(("kind", "grundschule")))
    assert figures.ages == (6, 10)
    fulda_area = next(a for a in figures.areas if a.code == FULDA)
    # The 2022 total split by the Kreis's 2018 shares: 69,968 × 7,866 / 222,584.
    assert fulda_area.age_population.value == round(69_968 * 7_866 / 222_584)
    assert fulda_area.estimated("lernorte_je_1000_alter")
    assert not fulda_area.estimated("lernorte_je_1000")
    assert figures.estimated
    assert "alter" in [i.key.rsplit("_", 1)[-1] for i in figures.indicators]


def test_the_age_group_belongs_to_the_selected_kinds(app_ctx):
    assert relevant_ages(params(("kind", "kita"))) == (0, 6)
    assert relevant_ages(params(("kind", "kita"), ("kind", "grundschule"))) == (0, 10)
    assert relevant_ages(params(("kind", "hauptschule"), ("kind", "realschule"))) == (10, 18)
    assert relevant_ages(params(("kind", "hochschule"), ("kind", "volkshochschule"))) == (18, None)
    assert relevant_ages(params(("kind", "kita"), ("kind", "realschule"))) is None  # a gap
    assert relevant_ages(params(("kind", "kita"), ("kind", "bibliothek"))) is None
    assert relevant_ages(params(("kind", "bibliothek"))) is None  # every age
    assert relevant_ages(params(("kind", "unbekannt"))) is None
    assert relevant_ages(params(("area", "schule"))) is None


# The past: a Lernort's status on a day comes from the audit trail.


def _lernort(name: str, created: dt.datetime, status: str, region: Region, kind) -> Location:
    """Add a Lernort created on a day, with its creation in the audit trail."""
    location = Location(
        slug=name.lower(), name=name, status=status, region=region, kind=kind, created_at=created
    )
    db.session.add(location)
    db.session.flush()
    _audit(location, "create", created, None, Status.PUBLISHED.value)
    return location


def _audit(entry, action: str, when: dt.datetime, old, new) -> None:
    """Write a status change into the audit trail, as an edit on that day would have."""
    db.session.add(
        AuditEntry(
            entity_type=entry.__tablename__.removesuffix("s"),
            entity_id=entry.id,
            action=action,
            origin="staff",
            changes={"status": [old, new]},
            created_at=when,
        )
    )


@pytest.fixture
def history(app_ctx):
    """Four Kitas in one Gemeinde with different pasts; return them by name."""
    town = Region(code="06999001", name="Testdorf", population=1000)
    kita = terms_by_code(Vocabulary.LOCATION_KIND)["kita"]
    day = dt.datetime
    published, archived = Status.PUBLISHED.value, Status.ARCHIVED.value
    places = {
        "always": _lernort("Immer", day(2023, 3, 1, 9), published, town, kita),
        "new": _lernort("Neu", day(2025, 6, 1, 9), published, town, kita),
        "back": _lernort("Zurueck", day(2023, 3, 1, 9), published, town, kita),
        "gone": _lernort("Weg", day(2023, 3, 1, 9), archived, town, kita),
    }
    _audit(places["back"], "archive", day(2024, 6, 1, 10), published, archived)
    _audit(places["back"], "restore", day(2025, 3, 1, 10), archived, Status.DRAFT.value)
    _audit(places["back"], "update", day(2025, 3, 2, 10), Status.DRAFT.value, published)
    _audit(places["gone"], "archive", day(2025, 5, 1, 10), published, archived)
    db.session.commit()
    return places


def _names(day: dt.date | None) -> int:
    """Return how many Kitas of Testdorf count on a day."""
    figures = coverage(params(("kind", "kita")), day)
    return next(a.lernorte for a in figures.areas if a.code == "06999001")


def test_listings_at_past_dates_follow_the_audit_trail(history):
    assert _names(dt.date(2023, 1, 1)) == 0  # none created yet
    assert _names(dt.date(2024, 1, 1)) == 3  # always, back, gone
    assert _names(dt.date(2025, 1, 1)) == 2  # back was archived, gone still there
    assert _names(dt.date(2025, 3, 1)) == 2  # back restored as a draft only
    assert _names(dt.date(2025, 3, 2)) == 3  # back published again
    assert _names(dt.date(2025, 5, 1)) == 2  # gone archived that day
    assert _names(None) == 3  # today: always, new, back


def test_a_comparison_holds_both_dates(history):
    figures = coverage(params(("kind", "kita")), compare=dt.date(2025, 1, 1))
    assert figures.compare is not None
    assert figures.compare.reference_date == dt.date(2025, 1, 1)
    area = next(a for a in figures.areas if a.code == "06999001")
    before = next(a for a in figures.compare.areas if a.code == "06999001")
    assert (before.lernorte, area.lernorte) == (2, 3)


def test_current_angebote_leave_out_expired_ones(history):
    place = history["always"]
    db.session.add_all(
        [
            Offer(slug="laeuft", title="Läuft", status="published", locations=[place]),
            Offer(
                slug="vorbei",
                title="Vorbei",
                status="published",
                locations=[place],
                valid_until=dt.date(2024, 12, 31),
            ),
        ]
    )
    db.session.commit()
    today = coverage(params(("type", "offer")))
    assert today.total.angebote == 1
    assert next(a.angebote for a in today.areas if a.code == "06999001") == 1


def _angebot(slug: str, created: dt.datetime, place: Location) -> Offer:
    """Add a published Angebot at a Lernort, with its creation in the audit trail."""
    offer = Offer(
        slug=slug, title=slug, status=Status.PUBLISHED.value, locations=[place], created_at=created
    )
    db.session.add(offer)
    db.session.flush()
    _audit(offer, "create", created, None, Status.PUBLISHED.value)
    return offer


def _angebote(day: dt.date | None, *pairs) -> tuple[int, int]:
    """Return (Angebote in Testdorf, Angebote in the whole area) on a day."""
    figures = coverage(params(("type", "offer"), *pairs), day)
    town = next(a.angebote for a in figures.areas if a.code == "06999001")
    return town, figures.total.angebote


def test_angebote_count_where_their_lernort_was_published_on_the_day(history):
    _angebot("am-weg", dt.datetime(2023, 4, 1, 9), history["gone"])
    _angebot("am-zurueck", dt.datetime(2023, 4, 1, 9), history["back"])
    db.session.commit()
    kita = ("kind", "kita")
    # Before the archiving both Lernorte were published Kitas in Testdorf.
    assert _angebote(dt.date(2024, 1, 1), kita) == (2, 2)
    # "back" archived in June 2024: its Angebot held nowhere published, so no Kita Angebot.
    assert _angebote(dt.date(2024, 7, 1), kita) == (1, 1)
    assert _angebote(dt.date(2024, 7, 1)) == (1, 2)  # without place filters: in no Gemeinde
    # Today "gone" is archived and "back" published again.
    assert _angebote(None, kita) == (1, 1)
    assert _angebote(dt.date(2025, 4, 1), ("region", "06999001")) == (2, 2)
