"""A search document analysed for the search tables: the Whoosh schema's fields and terms.

The text goes through exactly what the Whoosh backend indexes (schema.to_fields, the bulk
analysis functions of analysis.py), so both backends hold the same terms.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kbm_map.search.analysis import gram_terms, spell_terms, text_terms
from kbm_map.search.query import FacetLayout
from kbm_map.search.schema import FIELD_BOOSTS, Row, to_fields

FIELDS = tuple(FIELD_BOOSTS)  # the stemmed fields, in the order of the stored frequencies
MAX_FREQUENCY = 255  # frequencies are stored as one byte; no real text repeats a word more
NAME_CHARS = 32  # as the Whoosh engine's name order (columns.py)


@dataclass
class Analysed:
    """What the search tables store of one document."""

    doc_id: str
    row: Row
    title: str
    description: str
    stems: dict[str, bytearray]  # stem -> its frequency (a byte) in each of FIELDS
    lengths: tuple[int, ...]  # terms in each of FIELDS, as Whoosh counts a field's length
    grams: tuple[str, ...]
    spelling: tuple[str, ...]
    codes: tuple[tuple[str, str], ...]  # (facet, value); a set flag has the value "true"

    def record(self, seq: int) -> tuple[Any, ...]:
        """Return the search_documents row (COPY values) of this document at seq."""
        row = self.row
        sessions = [dt.date.fromordinal(d) for d in row.dates]
        return (
            seq,
            self.doc_id,
            row.min_age,
            row.max_age,
            sessions,
            dt.date.fromordinal(row.start) if row.start else None,
            dt.date.fromordinal(row.end) if row.end else None,
            row.lon,
            row.lat,
            row.name_sort[:NAME_CHARS],
        )

    def texts(self, seq: int) -> tuple[int, str, str]:
        """Return the search_texts row of this document at seq."""
        return seq, self.title, self.description


def analyse(doc: Mapping[str, Any], layout: FacetLayout) -> Analysed:
    """Return the terms, codes and columns of a search document (see backend.py)."""
    fields = to_fields(doc, layout)
    row = Row(*fields["row"])
    per_field = [text_terms(fields[name]) for name in FIELDS]
    stems: dict[str, bytearray] = {}
    for position, terms in enumerate(per_field):
        for term, count in terms.items():
            frequencies = stems.get(term)
            if frequencies is None:
                frequencies = stems[term] = bytearray(len(FIELDS))
            frequencies[position] = count if count <= MAX_FREQUENCY else MAX_FREQUENCY
    codes = [
        (name, value)
        for name, values in zip(layout.lists, row.terms, strict=True)
        for value in dict.fromkeys(values)
    ]
    codes += [(name, "true") for name, on in zip(layout.flags, row.flags, strict=True) if on]
    return Analysed(
        doc_id=fields["id"],
        row=row,
        title=fields["title"],
        description=fields["description"],
        stems=stems,
        lengths=tuple(sum(terms.values()) for terms in per_field),
        grams=tuple(gram_terms(fields["grams"])),
        spelling=tuple(spell_terms(fields["spell"])),
        codes=tuple(codes),
    )
