"""German analysis: folding, stemming, stopwords, compound n-grams."""

from kbm_map.search.analysis import fold, ngrams, query_words, stem


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
