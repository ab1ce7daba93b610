"""Every filter of the registry selects the same entries in SQL as in the search engine."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from kbm_map.extensions import db
from kbm_map.finding import FILTERS, LAYOUT, Selection, parse_params, search_backend, to_query
from kbm_map.models import Location, Offer, Region, Status, Vocabulary
from kbm_map.search import SearchQuery
from kbm_map.services.indexing import rebuild_index
from kbm_map.services.taxonomy import terms_by_code

pytestmark = pytest.mark.search_backends  # also on the postgres search backend

TODAY = dt.date(2026, 12, 3)


@pytest.fixture()
def demo(runner):
    """Load a small demo plus an Angebot held in two Gemeinden, then rebuild the index."""
    result = runner.invoke(args=["demo", "--locations", "60", "--offers", "300"])
    assert result.exit_code == 0, result.output
    offer = db.session.scalars(
        select(Offer).where(Offer.status == Status.PUBLISHED.value, Offer.locations.any())
    ).first()
    held_in = {loc.region_id for loc in offer.locations}
    other = db.session.scalars(select(Region).where(Region.id.notin_(held_in))).first()
    kinds = terms_by_code(Vocabulary.LOCATION_KIND)
    far = Location(
        slug="zweitort",
        name="Zweitort",
        status=Status.PUBLISHED.value,
        kind=kinds["bibliothek"],
        region=other,
        step_free=True,
        geom="SRID=4326;POINT(9.7 50.6)",
    )
    offer.locations.append(far)
    db.session.commit()
    rebuild_index()
    return offer


def engine_ids(params, today=TODAY) -> set[str]:
    """Return what the search engine finds for validated parameters."""
    query = to_query(params, None, today, facets=())
    query.per_page = 1000
    result = search_backend().query(query)
    assert result.total <= 1000
    return {hit.id for hit in result.hits}


def sql_ids(params, today=TODAY) -> set[str]:
    """Return what the registry's SQL conditions select for validated parameters."""
    selection = Selection(params=params, today=today)
    locations = db.session.scalars(select(Location.id).where(*selection.matching_lernorte()))
    offers = db.session.scalars(select(Offer.id).where(*selection.matching_offers()))
    return {f"location:{i}" for i in locations} | {f"offer:{i}" for i in offers}


def values_in_index() -> dict[str, list[str]]:
    """Return every value each list facet has in the index."""
    facets = search_backend().query(SearchQuery(per_page=1)).facets
    return {name: sorted(facets[name]) for name in LAYOUT.lists}


def params_of(*pairs: tuple[str, str]):
    """Return validated parameters for URL pairs."""
    return parse_params(MultiDict(pairs))


def test_every_value_of_every_list_filter_selects_the_same_entries(demo):
    values = values_in_index()
    compared = 0
    for f in FILTERS:
        if f.flag:
            continue
        assert values[f.name], f"the demo has no value for {f.name}: the test would prove nothing"
        for value in values[f.name] + ([] if f.choices else ["nirgends"]):
            params = params_of((f.name, value))
            found = engine_ids(params)
            assert sql_ids(params) == found, f"{f.name}={value}"
            compared += bool(found)
    assert compared >= 30


def test_every_flag_filter_selects_the_same_entries(demo):
    for f in FILTERS:
        if f.flag:
            params = params_of((f.name, "1"))
            found = engine_ids(params)
            assert found, f"nothing has {f.name}: the test would prove nothing"
            assert sql_ids(params) == found, f.name


def test_filters_combine_alike_or_within_and_across(demo):
    values = values_in_index()
    lists = [f.name for f in FILTERS if not f.flag]
    for first, second in itertools.combinations(lists, 2):
        pairs = [(first, v) for v in values[first][:2]] + [(second, values[second][0])]
        params = params_of(*pairs)
        assert sql_ids(params) == engine_ids(params), pairs


def test_an_angebot_in_two_gemeinden_is_found_in_both(demo):
    codes = {loc.region.code for loc in demo.locations if loc.region}
    assert len(codes) == 2
    for code in codes:
        params = params_of(("region", code), ("type", "offer"))
        assert f"offer:{demo.id}" in engine_ids(params)
        assert f"offer:{demo.id}" in sql_ids(params)


@pytest.mark.parametrize(
    "pairs",
    [
        [("age", "4")],
        [("age", "40")],
        [("when", "today")],
        [("when", "week")],
        [("when", "month")],
        [("from", "2027-01-01"), ("to", "2027-01-31")],
        [("age", "10"), ("when", "month"), ("area", "weiterbildung")],
    ],
)
def test_age_and_dates_select_the_same_entries(demo, pairs):
    params = params_of(*pairs)
    today = dt.date.today()  # the demo's sessions are relative to the current week
    found = engine_ids(params, today)
    assert found
    assert sql_ids(params, today) == found
