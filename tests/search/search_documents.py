"""Search documents as the service layer builds them, for tests."""

from __future__ import annotations

from typing import Any

Doc = dict[str, Any]


def make_doc(doc_id: str, title: str, **fields: Any) -> Doc:
    """Return a search document with neutral defaults for everything not given."""
    doc: Doc = {
        "id": doc_id,
        "type": doc_id.split(":")[0],
        "title": title,
        "description": "",
        "kind": "",
        "kind_code": "",
        "areas": [],
        "topics": [],
        "topic_codes": [],
        "target_groups": [],
        "languages": ["de"],
        "provider": "",
        "place": "",
        "region": "03241001",
        "min_age": None,
        "max_age": None,
        "free": False,
        "step_free": False,
        "online": False,
        "dates": [],
        "lon": None,
        "lat": None,
        "name_sort": title.lower(),
    }
    doc.update(fields)
    return doc
