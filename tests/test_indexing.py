"""The search index follows the database: documents, updates, removal, rebuild."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kbm_map.extensions import db
from kbm_map.finding import search_backend
from kbm_map.models import Location, Offer, Status
from kbm_map.search import SearchQuery
from kbm_map.services.indexing import index_entries, rebuild_index, remove_entries

pytestmark = pytest.mark.search_backends  # also on the postgres search backend


def ids_for(text: str, **terms) -> set[str]:
    """Return the ids of everything the index finds for a query."""
    result = search_backend().query(SearchQuery(text=text, terms=terms, per_page=1000))
    return {hit.id for hit in result.hits}


def test_demo_builds_an_index_of_everything_published(runner):
    result = runner.invoke(args=["demo", "--locations", "60", "--offers", "200"])
    assert result.exit_code == 0 and "Search index:" in result.output, result.output
    published = (
        db.session.query(Location).filter_by(status="published").count()
        + db.session.query(Offer).filter_by(status="published").count()
    )
    assert search_backend().count() == published


def test_offer_documents_carry_place_region_and_filters(runner):
    runner.invoke(args=["demo", "--locations", "60", "--offers", "300"])
    offer = db.session.scalars(
        select(Offer).where(Offer.status == "published", Offer.title.like("Deutschkurs%"))
    ).first()
    found = ids_for("Deutschkurs", type=["offer"])
    assert f"offer:{offer.id}" in found
    place = offer.locations[0]
    assert f"offer:{offer.id}" in ids_for("", region=[place.region.code], type=["offer"])


def test_edits_reach_the_index_and_archived_entries_leave_it(runner):
    runner.invoke(args=["demo", "--locations", "30", "--offers", "30"])
    location = db.session.scalars(select(Location).where(Location.status == "published")).first()
    location.name = "Zauberwaldbibliothek"
    db.session.commit()
    index_entries(location_ids=[location.id])
    assert ids_for("Zauberwaldbibliothek") == {f"location:{location.id}"}
    location.status = Status.ARCHIVED.value
    db.session.commit()
    index_entries(location_ids=[location.id])
    assert ids_for("Zauberwaldbibliothek") == set()


def test_remove_and_rebuild(runner):
    runner.invoke(args=["demo", "--locations", "30", "--offers", "30"])
    offer = db.session.scalars(select(Offer).where(Offer.status == "published")).first()
    remove_entries(offer_ids=[offer.id])
    assert f"offer:{offer.id}" not in ids_for("", type=["offer"])
    rebuild_index()
    assert f"offer:{offer.id}" in ids_for("", type=["offer"])


def test_reindex_command(runner):
    runner.invoke(args=["demo", "--locations", "20", "--offers", "20"])
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0 and "Search index:" in result.output
