"""The taxonomy file: complete labels in every UI language, stable codes, synonyms."""

from __future__ import annotations

from kbm_map.config import SUPPORTED_LANGUAGES
from kbm_map.services.taxonomy import kind_areas, kind_synonyms, load_taxonomy


def test_every_term_has_a_label_in_every_ui_language():
    for vocabulary, entries in load_taxonomy().items():
        for entry in entries:
            missing = [lang for lang in SUPPORTED_LANGUAGES if not entry.get(lang)]
            assert not missing, f"{vocabulary}:{entry['code']} lacks {missing}"


def test_codes_are_unique_per_vocabulary():
    for vocabulary, entries in load_taxonomy().items():
        codes = [e["code"] for e in entries]
        assert len(codes) == len(set(codes)), vocabulary


def test_kinds_name_existing_areas_and_synonyms():
    areas = {e["code"] for e in load_taxonomy()["area"]}
    assert all(set(codes) <= areas and codes for codes in kind_areas().values())
    assert "VHS" in kind_synonyms()["volkshochschule"]
