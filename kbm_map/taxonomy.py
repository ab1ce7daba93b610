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
