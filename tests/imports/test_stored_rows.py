"""Stored listings as an import compares them: a whole source, or some listings by id."""

from __future__ import annotations

import pytest

from kbm_map.services import stored
from kbm_map.services.imports import run_import
from kbm_map.services.planning import LOCATION_SPEC, OFFER_SPEC

from . import test_offers
from .test_offers import COUNSELLING, COURSE

offers_file = test_offers.offers_file  # the fixture: three Lernorte, a writer for Angebote


def test_listings_read_by_id_are_those_read_with_their_source(offers_file, monkeypatch):
    run_import(*offers_file(COURSE, COUNSELLING), "kurse", update_index=False)
    monkeypatch.setattr(stored, "BATCH", 1)  # one query per id: batches are joined up
    for spec, source in ((OFFER_SPEC, "kurse"), (LOCATION_SPEC, "orte")):
        whole = stored.load_existing(spec, source)
        assert stored.load_existing(spec, ids=[e.id for e in whole.values()]) == whole
    courses = stored.load_existing(OFFER_SPEC, "kurse")
    assert len(courses["K1"].links["sessions"]) == 2
    assert stored.load_existing(OFFER_SPEC, ids=[courses["B1"].id]) == {"B1": courses["B1"]}


def test_listings_are_read_by_source_or_by_id_not_both(offers_file):
    with pytest.raises(TypeError):
        stored.load_existing(OFFER_SPEC)
    with pytest.raises(TypeError):
        stored.load_existing(OFFER_SPEC, "kurse", ids=[1])
