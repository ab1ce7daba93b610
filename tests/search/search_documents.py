"""Search documents as kbm_map/finding/documents.py builds them, for tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kbm_map.finding.filters import LAYOUT

Doc = dict[str, Any]


def make_doc(
    doc_id: str,
    title: str,
    terms: Mapping[str, Sequence[str]] | None = None,
    flags: Mapping[str, bool] | None = None,
    **fields: Any,
) -> Doc:
    """Return a search document with neutral defaults for everything not given.

    terms and flags are merged into the defaults: the type from the id, German, one Gemeinde,
    every flag off.
    """
    doc: Doc = {
        "id": doc_id,
        "type": doc_id.split(":")[0],
        "title": title,
        "description": "",
        "kind": "",
        "topics": [],
        "provider": "",
        "place": "",
        "terms": {name: [] for name in LAYOUT.lists}
        | {"type": [doc_id.split(":")[0]], "language": ["de"], "region": ["03241001"]}
        | dict(terms or {}),
        "flags": dict.fromkeys(LAYOUT.flags, False) | dict(flags or {}),
        "min_age": None,
        "max_age": None,
        "dates": [],
        "start": None,
        "end": None,
        "lon": None,
        "lat": None,
        "name_sort": title.lower(),
    }
    doc.update(fields)
    return doc
