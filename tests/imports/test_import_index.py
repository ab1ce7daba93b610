"""Imports keep the search index in step: new and changed entries in, withdrawn ones out."""

from __future__ import annotations

import pytest

from kbm_map.finding import search_backend
from kbm_map.search import SearchQuery
from kbm_map.services.imports import run_import
from kbm_map.services.refresh import refresh_sources

from .conftest import location

# Also on the postgres search backend.
pytestmark = [pytest.mark.search_backends, pytest.mark.shared_data]


def found(text: str) -> set[str]:
    """Return the ids the search index finds for a text."""
    return {hit.id for hit in search_backend().query(SearchQuery(text=text, per_page=100)).hits}


def test_import_and_refresh_update_the_search_index(app_ctx, fulda_copy, table):
    summary = run_import(fulda_copy, "jedeschule-schulen", "fulda")
    assert summary.index_note is None
    school = location("HE-4101-0")
    assert f"location:{school.id}" in found("Uttrichshausen")

    edited = table(fulda_copy)
    edited.row("HE-4101-0")["name"] = "Grundschule Sonnenhügel"
    vanished = edited.rows.pop(1)
    edited.save()
    (result,) = refresh_sources(["fulda"])
    assert (result.summary.changed, len(result.summary.withdrawn)) == (1, 1)

    assert f"location:{school.id}" in found("Sonnenhügel")
    gone = location(vanished["id"])
    assert f"location:{gone.id}" not in found(vanished["name"])


def test_dry_run_leaves_the_index_alone(app_ctx, fulda_copy):
    run_import(fulda_copy, "jedeschule-schulen", "fulda", dry_run=True)
    assert found("Uttrichshausen") == set()
