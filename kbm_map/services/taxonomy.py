"""Seed and look up taxonomy terms."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from ..models import Term, Vocabulary
from ..taxonomy import (  # noqa: F401  (the file's readers, imported from here by older code)
    LABEL_LANGUAGES,
    TAXONOMY_FILE,
    kind_age_range,
    kind_age_ranges,
    kind_areas,
    kind_synonyms,
    load_taxonomy,
)


def seed_terms(path: Path = TAXONOMY_FILE) -> int:
    """Add missing terms and missing labels from the taxonomy file; return how many were added."""
    existing = {(t.vocabulary, t.code): t for t in db.session.scalars(select(Term))}
    added = 0
    for vocabulary, entries in load_taxonomy(path).items():
        for position, entry in enumerate(entries):
            labels = {lang: entry[lang] for lang in LABEL_LANGUAGES if entry.get(lang)}
            term = existing.get((vocabulary, entry["code"]))
            if term is None:
                db.session.add(
                    Term(
                        vocabulary=vocabulary, code=entry["code"], labels=labels, position=position
                    )
                )
                added += 1
            elif any(lang not in term.labels for lang in labels):
                # Fill in new translations but keep labels staff have edited.
                term.labels = {**labels, **term.labels}
    db.session.commit()
    return added


def terms_by_code(vocabulary: Vocabulary) -> dict[str, Term]:
    """Return the terms of one vocabulary keyed by code."""
    stmt = select(Term).where(Term.vocabulary == vocabulary.value)
    return {t.code: t for t in db.session.scalars(stmt)}
