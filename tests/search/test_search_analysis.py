"""German analysis: folding, stemming, stopwords, compound n-grams."""

import random
from collections import Counter

import pytest

from kbm_map.search.analysis import (
    fold,
    gram_analyzer,
    gram_terms,
    ngrams,
    query_words,
    spell_analyzer,
    spell_terms,
    stem,
    text_analyzer,
    text_terms,
)


def test_umlaut_and_transcription_stem_alike():
    assert stem("Gärten") == stem("Gaerten") == stem("Garten")


def test_sharp_s_folds_to_ss():
    assert fold("Straße") == fold("Strasse") == "strasse"


def test_accents_are_stripped():
    assert fold("Café") == "cafe"
    assert fold("Crèche") == "creche"


def test_ue_after_q_is_not_an_umlaut():
    assert fold("Quelle") == "quelle"


def test_stemming_removes_german_inflection():
    assert stem("Bibliotheken") == stem("Bibliothek")
    assert stem("Kurse") == stem("Kursen")


def test_query_words_drop_stopwords_in_either_spelling():
    assert [w.raw for w in query_words("Kurs für Eltern fuer Kinder")] == [
        "kurs",
        "eltern",
        "kinder",
    ]


def test_query_word_grams_come_from_the_stem():
    (word,) = query_words("Bewerbungen")
    assert word.grams == ngrams("bewerb") == ("bewe", "ewer", "werb")


def test_short_stem_uses_the_word_for_grams():
    (word,) = query_words("Kurs")
    assert word.stem == "kur"
    assert word.grams == ("kurs",)


ANALYSED = [
    "Gärten Gaerten Garten und die Straße",
    "İstanbul Türkçe kursu für Eltern und Kinder",
    "Deutschkurs z.B. A1.2 Bewerbungstraining_2024 ...",
    "Бібліотека для дітей\nمكتبة المدينة",
    "Ölmühle Quelle Queue Café Crèche naïve",
    "a b c der die das 12345 36037 Fulda\n\nDeutschkurs Deutschkurs Kurs",
    "",
    "Kita\nKita\nKindertagesstätte Krippe",
]


@pytest.mark.parametrize("text", ANALYSED)
def test_bulk_analysis_gives_the_analyzers_terms(text):
    stemmed = Counter(t.text for t in text_analyzer()(text))
    assert text_terms(text) == dict(stemmed)
    assert set(gram_terms(text)) == {t.text for t in gram_analyzer()(text)}
    assert set(spell_terms(text)) == {t.text for t in spell_analyzer()(text)}


def test_bulk_analysis_gives_the_analyzers_terms_for_random_text():
    rng = random.Random(11)
    alphabet = "aäbcdeéfghiİıjklmnoöpqrsßtuüvwxyz ÄÖÜ-_.,\n0123456789ДіїمكЁ\u0301"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        stemmed = Counter(t.text for t in text_analyzer()(text))
        assert text_terms(text) == dict(stemmed), text
        assert set(gram_terms(text)) == {t.text for t in gram_analyzer()(text)}, text
        assert set(spell_terms(text)) == {t.text for t in spell_analyzer()(text)}, text
