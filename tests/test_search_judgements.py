"""Recall of a judged query set over the demo region (see tests/search_judgements.toml)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from kbm_map.extensions import db
from kbm_map.finding.params import LIST_PARAMS, parse_params
from kbm_map.finding.search import run_search
from kbm_map.models import Location, Offer

JUDGEMENTS = tomllib.loads(
    (Path(__file__).parent / "search_judgements.toml").read_text(encoding="utf-8")
)["query"]

pytestmark = pytest.mark.search_backends  # also on the postgres search backend


def expected_ids(judgement: dict) -> set[str]:
    """Return the index ids of the entries a judged query must find."""
    ids = set()
    for slug in judgement.get("slugs", []):
        location = db.session.scalar(select(Location).where(Location.slug == slug))
        assert location is not None and location.is_public, f"judged Lernort {slug} not in demo"
        ids.add(f"location:{location.id}")
    for title in judgement.get("titles", []):
        offers = db.session.scalars(
            select(Offer.id).where(Offer.title == title, Offer.status == "published")
        ).all()
        assert offers, f"judged Angebot {title!r} not in demo"
        ids.update(f"offer:{i}" for i in offers)
    return ids


def test_judged_queries_find_what_they_must(runner):
    assert len(JUDGEMENTS) >= 30
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    misses, wanted, found = [], 0, 0
    for judgement in JUDGEMENTS:
        args = MultiDict([("q", judgement["q"])])
        for name in LIST_PARAMS:
            for value in judgement.get(name, []):
                args.add(name, value)
        outcome = run_search(parse_params(args))
        top = {f"{item.type}:{item.entity.id}" for item in outcome.items[:10]}
        must = expected_ids(judgement)
        wanted, found = wanted + len(must), found + len(must & top)
        if must - top:
            misses.append(f"{judgement['q']!r}: missing {sorted(must - top)}")
    assert not misses, f"recall {found / wanted:.2f}; " + "; ".join(misses)


@pytest.fixture(autouse=True)
def _request_context(app_ctx):
    """Run inside a request so labels use the German UI."""
    with app_ctx.test_request_context("/de/suche"):
        yield
