"""The taxonomy file geodata/taxonomy.toml: vocabularies, labels, synonyms, defaults."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

from . import PROJECT_ROOT
from .models.taxonomy import Vocabulary

TAXONOMY_FILE = PROJECT_ROOT / "geodata" / "taxonomy.toml"
LABEL_LANGUAGES = ("de", "en", "ar", "uk", "tr")


def load_taxonomy(path: Path = TAXONOMY_FILE) -> dict[str, list[dict]]:
    """Read the taxonomy file: {vocabulary: [{code, de, en, …}]}."""
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    unknown = set(data) - {v.value for v in Vocabulary}
    if unknown:
        raise ValueError(f"{path}: unknown vocabularies {', '.join(sorted(unknown))}")
    return data


def kind_areas(path: Path = TAXONOMY_FILE) -> dict[str, list[str]]:
    """Map each Lernort kind code to the Bildungsbereiche it belongs to by default."""
    return {e["code"]: e.get("areas", []) for e in load_taxonomy(path).get("location_kind", [])}


@functools.cache
def kind_synonyms(path: Path = TAXONOMY_FILE) -> dict[str, tuple[str, ...]]:
    """Map each Lernort kind code to extra search words ("VHS" for Volkshochschule)."""
    entries = load_taxonomy(path).get("location_kind", [])
    return {e["code"]: tuple(e.get("synonyms", ())) for e in entries}


@functools.cache
def kind_age_ranges(path: Path = TAXONOMY_FILE) -> dict[str, tuple[int, int | None] | None]:
    """Map each Lernort kind code to the ages it serves, [first, end) in years, or None."""
    ranges: dict[str, tuple[int, int | None] | None] = {}
    for entry in load_taxonomy(path).get("location_kind", []):
        ages = entry.get("ages")
        ok = isinstance(ages, list) and 1 <= len(ages) <= 2
        ok = ok and all(isinstance(a, int) and a >= 0 for a in ages)
        if ages is not None and not (ok and (len(ages) == 1 or ages[0] < ages[1])):
            raise ValueError(
                f"{path}: location_kind {entry['code']}: ages must be [first, end] or [first], "
                f"not {ages!r}"
            )
        if ages is not None:
            ages = (ages[0], ages[1] if len(ages) > 1 else None)
        ranges[entry["code"]] = ages
    return ranges


def kind_age_range(code: str) -> tuple[int, int | None] | None:
    """Return the ages [first, end) a kind of Lernort serves (end None: and older), or None.

    None means the kind serves every age (a library); an unknown code raises KeyError.
    """
    return kind_age_ranges()[code]
