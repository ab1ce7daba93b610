"""A refresh maps only the rows whose record or context changed since the source's last run."""

from __future__ import annotations

from datetime import datetime

import pytest
from shapely.geometry import Point
from sqlalchemy import select, update

from kbm_map.extensions import db
from kbm_map.importers import RawRecord, record_fingerprint
from kbm_map.importers.builders import BUILDERS
from kbm_map.models import Location, Offer, Source
from kbm_map.services.audit import record_change
from kbm_map.services.imports import run_import
from kbm_map.services.regions import import_regions

from . import test_offers
from .conftest import FULDA_GEMEINDEN, location
from .test_offers import COUNSELLING, COURSE, offer
from .test_refresh import refresh, updated_at

pytestmark = pytest.mark.shared_data
offers_file = test_offers.offers_file  # the fixture: three Lernorte, a writer for Angebote


@pytest.fixture
def mapped(monkeypatch) -> list[int]:
    """Return the list of row numbers the mapping builds from now on."""
    rows: list[int] = []
    for target, build in list(BUILDERS.items()):

        def counting(raw, *args, _build=build):
            rows.append(raw.row)
            return _build(raw, *args)

        monkeypatch.setitem(BUILDERS, target, counting)
    return rows


def fingerprints(model=Location) -> dict[str, str | None]:
    """Return {external id: stored fingerprint} of a table."""
    return dict(db.session.execute(select(model.external_id, model.import_fingerprint)).all())


def source_marks(name: str = "fulda") -> tuple:
    """Return what the source remembers of its last run's context."""
    source = db.session.scalars(select(Source).where(Source.name == name)).one()
    return source.context_fingerprint, source.fingerprinted_at


def test_unchanged_file_is_not_mapped_and_touches_nothing(fulda, mapped):
    before, marks = updated_at(), fingerprints()
    summary = refresh("fulda")
    assert (summary.new, summary.changed, summary.unchanged, summary.withdrawn) == (0, 0, 105, [])
    assert (summary.rows, mapped) == (105, [])
    assert (updated_at(), fingerprints()) == (before, marks)
    assert None not in marks.values()


def test_one_changed_row_is_the_only_one_mapped(fulda, fulda_copy, table, mapped):
    edited = table(fulda_copy)
    edited.row("HE-4101-0")["phone"] = "09742/99999"
    edited.save()
    before = fingerprints()
    summary = refresh("fulda")
    assert (summary.changed, summary.unchanged, mapped) == (1, 104, [2])
    assert location("HE-4101-0").phone == "09742/99999"
    after = fingerprints()
    assert {k for k in before if before[k] != after[k]} == {"HE-4101-0"}
    assert refresh("fulda").unchanged == 105
    assert mapped == [2]


def test_changed_mapping_maps_every_row_again(fulda, fulda_copy, tmp_path, mapped):
    from kbm_map.services.datafiles import resolve_mapping

    mapping = tmp_path / "schulen.toml"
    mapping.write_text(
        resolve_mapping("jedeschule-schulen").read_text(encoding="utf-8") + "\n# checked\n",
        encoding="utf-8",
    )
    before = updated_at()
    summary = run_import(fulda_copy, mapping, "fulda", update_index=False)
    assert (summary.changed, summary.unchanged, len(mapped)) == (0, 105, 105)
    assert updated_at() == before
    assert refresh("fulda").unchanged == 105
    assert len(mapped) == 105  # the new mapping's context is remembered


def test_vanished_row_is_archived_while_the_others_are_skipped(fulda, fulda_copy, table, mapped):
    edited = table(fulda_copy)
    vanished = edited.rows.pop(5)
    edited.save()
    summary = refresh("fulda")
    assert summary.withdrawn == [(vanished["id"], vanished["name"])]
    assert (summary.unchanged, mapped) == (104, [])
    assert location(vanished["id"]).status == "archived"


def test_withdrawn_row_that_returns_unchanged_is_restored(fulda, fulda_copy, table, mapped):
    original = fulda_copy.read_bytes()
    edited = table(fulda_copy)
    edited.rows = [r for r in edited.rows if r["id"] != "HE-4101-0"]
    edited.save()
    refresh("fulda")
    fulda_copy.write_bytes(original)
    summary = refresh("fulda")
    assert (summary.changed, summary.unchanged, mapped) == (1, 104, [2])
    assert location("HE-4101-0").status == "published"


def test_entry_archived_by_staff_is_compared_and_stays_archived(fulda, mapped):
    school = location("HE-4101-0")
    school.status = "archived"
    record_change(school, "archive", {"status": ["published", "archived"]}, origin="staff")
    db.session.commit()
    summary = refresh("fulda")
    assert (summary.changed, summary.unchanged, mapped) == (0, 105, [2])
    assert location("HE-4101-0").status == "archived"


def test_hand_edits_are_kept_and_counted_in_every_refresh(fulda, mapped):
    school = location("HE-4101-0")
    school.phone, school.edited_fields = "0661 12345 (Sekretariat)", ["phone"]
    db.session.commit()
    for _ in range(2):
        summary = refresh("fulda")
        assert (summary.changed, summary.unchanged, summary.kept_edits) == (0, 105, 1)
    assert mapped == [2, 2]
    assert location("HE-4101-0").phone == "0661 12345 (Sekretariat)"


def test_interrupted_refresh_keeps_the_old_fingerprints(fulda, fulda_copy, table, mapped):
    edited = table(fulda_copy)
    edited.row("HE-4101-0")["phone"] = "09742/99999"
    edited.save()
    before, marks = fingerprints(), source_marks()

    def interrupt(rows: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_import(fulda_copy, "jedeschule-schulen", "fulda", progress=interrupt)
    db.session.expire_all()
    assert (fingerprints(), source_marks()) == (before, marks)
    assert location("HE-4101-0").phone == "09742/1896"
    assert refresh("fulda").changed == 1
    assert mapped == [2, 2]


def test_first_refresh_without_fingerprints_reads_all_and_moves_no_dates(fulda, mapped):
    db.session.execute(update(Location).values(import_fingerprint=None))
    db.session.execute(update(Source).values(context_fingerprint=None))
    db.session.commit()
    before = updated_at()
    assert refresh("fulda").unchanged == 105
    assert (len(mapped), updated_at()) == (105, before)
    assert None not in fingerprints().values()
    assert refresh("fulda").unchanged == 105
    assert len(mapped) == 105


def test_repeated_id_after_a_skipped_row_is_still_rejected(fulda, fulda_copy, table, mapped):
    edited = table(fulda_copy)
    edited.rows.append({**edited.row("HE-4101-0"), "name": "Doppelt"})
    edited.save()
    summary = refresh("fulda")
    [rejected] = summary.rejected
    assert (rejected.row, rejected.field, summary.unchanged) == (107, "id", 105)
    assert "already used in row 2" in rejected.reason
    assert location("HE-4101-0").name == "Grundschule Uttrichshausen"


def test_dry_run_skips_alike_and_stores_nothing(fulda, fulda_copy, table, mapped):
    edited = table(fulda_copy)
    edited.row("HE-4101-0")["phone"] = "09742/99999"
    edited.save()
    before, marks = fingerprints(), source_marks()
    summary = run_import(fulda_copy, "jedeschule-schulen", "fulda", dry_run=True)
    assert (summary.changed, summary.unchanged, mapped) == (1, 104, [2])
    assert (fingerprints(), source_marks()) == (before, marks)


def test_regions_import_leaves_the_lernorte_skipped(fulda, shared_data, mapped):
    import_regions(shared_data / FULDA_GEMEINDEN)
    mapped.clear()  # the Gemeinden
    assert refresh("fulda").unchanged == 105
    assert mapped == []


def test_lernorte_placed_in_a_region_by_the_import_are_skipped_next_time(
    fulda_regions, fulda_copy, mapped
):
    run_import(fulda_copy, "jedeschule-schulen", "fulda", update_index=False)
    assert location("HE-4101-0").region_id == fulda_regions["06631016"]
    mapped.clear()
    assert refresh("fulda").unchanged == 105
    assert mapped == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"Themen": "sprache; astrologie"}, "topics"),  # a warning from planning
        ({"E-Mail": "kurse at vhs-fulda.de"}, "registration_email"),  # from the mapping
    ],
)
def test_rows_with_warnings_are_read_and_reported_every_time(offers_file, mapped, change, field):
    files = offers_file({**COURSE, **change}, COUNSELLING)
    run_import(*files, "kurse", update_index=False)
    marks = fingerprints(Offer)
    assert marks["K1"] is None and marks["B1"] is not None
    mapped.clear()
    summary = refresh("kurse")
    assert summary.unchanged == 2
    assert [w.split(":")[0] for w in summary.warnings] == [f"file kurse.csv, row 2, field {field}"]
    assert mapped == [2]


def test_missing_lernort_is_linked_once_it_is_imported(offers_file, tmp_path, mapped):
    run_import(*offers_file({**COURSE, "Ort": "2|4"}, COUNSELLING), "kurse", update_index=False)
    assert [place.name for place in offer("K1").locations] == ["VHS Fulda"]
    places = tmp_path / "orte.csv"
    places.write_text(
        places.read_text(encoding="utf-8")
        + '4,Stadtbibliothek,"Am Rathaus 1, 36037 Fulda",50.55,9.68\n',
        encoding="utf-8",
    )
    assert refresh("orte").new == 1
    mapped.clear()
    summary = refresh("kurse")
    assert (summary.changed, summary.unchanged, summary.warnings) == (1, 1, [])
    assert sorted(place.name for place in offer("K1").locations) == ["Stadtbibliothek", "VHS Fulda"]
    assert mapped == [2]


def test_new_lernort_with_a_new_id_leaves_the_angebote_skipped(offers_file, tmp_path, mapped):
    run_import(*offers_file(COURSE, COUNSELLING), "kurse", update_index=False)
    places = tmp_path / "orte.csv"
    places.write_text(
        places.read_text(encoding="utf-8")
        + '5,Jugendzentrum,"Am Markt 9, 36037 Fulda",50.55,9.68\n',
        encoding="utf-8",
    )
    assert refresh("orte").new == 1
    mapped.clear()
    assert refresh("kurse").unchanged == 2
    assert mapped == []


def test_lernort_that_makes_a_name_ambiguous_maps_the_angebote_again(offers_file, tmp_path, mapped):
    run_import(*offers_file(COURSE, COUNSELLING), "kurse", update_index=False)
    other = tmp_path / "andere.csv"
    other.write_text(
        'ID,Name,Adresse,Breite,Länge\n2,Zweite VHS,"Am Markt 2, 36037 Fulda",50.55,9.68\n',
        encoding="utf-8",
    )
    run_import(other, tmp_path / "orte.toml", "andere", update_index=False)
    mapped.clear()
    summary = refresh("kurse")
    # 'Ort = 2' could now mean either Lernort: the row is rejected and keeps its version.
    assert [(r.row, r.field) for r in summary.rejected] == [(2, "locations")]
    assert sorted(mapped) == [2, 3]
    assert [place.name for place in offer("K1").locations] == ["VHS Fulda"]
    again = refresh("kurse")  # the record is the same, but it is still rejected and reported
    assert ([(r.row, r.field) for r in again.rejected], again.unchanged) == ([(2, "locations")], 1)


def test_fingerprint_depends_on_names_and_values_only():
    shared = "".join(["Schule"] * 2)
    record = RawRecord(2, {"id": "1", "name": shared, "alias": shared})
    same = RawRecord(9, {"id": "1", "name": "SchuleSchule", "alias": "SchuleSchule"})
    assert record_fingerprint(record) == record_fingerprint(same)  # row and object identity
    renamed = RawRecord(2, {"id": "1", "title": shared, "alias": shared})
    assert record_fingerprint(renamed) != record_fingerprint(record)
    workbook = RawRecord(2, {"id": 1, "start": datetime(2026, 3, 2, 18)}, Point(9.6, 50.5))
    later = RawRecord(2, {"id": 1, "start": datetime(2026, 3, 2, 19)}, Point(9.6, 50.5))
    moved = RawRecord(2, {"id": 1, "start": datetime(2026, 3, 2, 18)}, Point(9.7, 50.5))
    assert len({record_fingerprint(r) for r in (workbook, later, moved)}) == 3
