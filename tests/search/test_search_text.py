"""Text search: stemming, folding, compounds, typos, suggestions and highlights."""

from kbm_map.search import SearchQuery


def ids(index, text, **filters):  # noqa: ANN001, ANN201
    """Return the ids found for text, in result order."""
    return [hit.id for hit in index.query(SearchQuery(text=text, **filters)).hits]


def test_empty_text_finds_everything_by_name(indexed, doc):
    index = indexed(doc("offer:2", "Yoga für Senioren"), doc("location:1", "Altes Rathaus"))
    assert ids(index, "") == ["location:1", "offer:2"]


def test_stemming_finds_other_inflections(indexed, doc):
    index = indexed(doc("location:1", "Stadtbibliothek", kind="Bibliothek"), doc("offer:2", "Tanz"))
    assert ids(index, "Bibliotheken") == ["location:1"]


def test_case_does_not_matter(indexed, doc):
    index = indexed(doc("offer:1", "PYTHON für Einsteiger"))
    assert ids(index, "python") == ids(index, "Python") == ["offer:1"]


def test_umlauts_match_transcription_and_plain_vowel(indexed, doc):
    index = indexed(doc("offer:1", "Interkulturelle Gärten"), doc("offer:2", "Schach"))
    for text in ("Gärten", "Gaerten", "Garten", "GÄRTEN"):
        assert ids(index, text) == ["offer:1"], text


def test_sharp_s_matches_ss(indexed, doc):
    index = indexed(doc("location:1", "Jugendtreff Lange Straße"), doc("offer:2", "Malen"))
    assert ids(index, "Strasse") == ids(index, "straße") == ["location:1"]


def test_accents_are_folded(indexed, doc):
    index = indexed(doc("location:1", "Café International"), doc("offer:2", "Malen"))
    assert ids(index, "Cafe") == ["location:1"]


def test_compound_part_is_found(indexed, doc):
    index = indexed(doc("offer:1", "Deutschkurs A1"), doc("offer:2", "Bewerbungstraining"))
    assert ids(index, "Kurs") == ["offer:1"]
    assert ids(index, "Bewerbung") == ["offer:2"]
    assert ids(index, "Bewerbungen") == ["offer:2"]


def test_whole_word_ranks_above_compound_part(indexed, doc):
    index = indexed(doc("offer:1", "Deutschkurs"), doc("offer:2", "Kurs Deutsch als Zweitsprache"))
    assert ids(index, "Kurs") == ["offer:2", "offer:1"]


def test_all_words_must_match(indexed, doc):
    index = indexed(doc("offer:1", "Yoga für Eltern"), doc("offer:2", "Yoga für Kinder"))
    assert ids(index, "Yoga Kinder") == ["offer:2"]


def test_provider_place_and_topics_are_searched(indexed, doc):
    index = indexed(
        doc("offer:1", "Offener Treff", provider="Caritas", place="Lindener Marktplatz"),
        doc("offer:2", "Lesepaten", topics=["Leseförderung"]),
    )
    assert ids(index, "Caritas") == ids(index, "Marktplatz") == ["offer:1"]
    assert ids(index, "Leseförderung") == ["offer:2"]


def test_typo_in_a_title_falls_back_to_fuzzy(indexed, doc):
    index = indexed(doc("offer:1", "Python für Einsteiger"), doc("location:2", "Stadtbibliothek"))
    result = index.query(SearchQuery(text="Pythn"))
    assert [h.id for h in result.hits] == ["offer:1"]
    assert result.fuzzy


def test_typo_in_a_long_word_allows_two_edits(indexed, doc):
    index = indexed(doc("location:1", "Bibliothek Linden"), doc("offer:2", "Yoga"))
    assert ids(index, "Bibliotek") == ids(index, "Biblioteek") == ["location:1"]


def test_exact_matches_do_not_use_fuzzy(indexed, doc):
    index = indexed(doc("offer:1", "Python"), doc("offer:2", "Pylon"))
    result = index.query(SearchQuery(text="Python"))
    assert [h.id for h in result.hits] == ["offer:1"]
    assert not result.fuzzy and result.suggestion is None


def test_suggestion_when_nothing_is_found(indexed, doc):
    index = indexed(doc("location:1", "Bibliothek Linden"), doc("offer:2", "Yoga für Eltern"))
    result = index.query(SearchQuery(text="Bibliotek Linden", terms={"type": ["offer"]}))
    assert result.total == 0
    assert result.suggestion == "Bibliothek Linden"


def test_no_suggestion_for_unknown_words(indexed, doc):
    index = indexed(doc("offer:1", "Yoga"))
    result = index.query(SearchQuery(text="Quantenphysik"))
    assert result.total == 0 and result.suggestion is None


def test_highlight_escapes_the_document_text(indexed, doc):
    index = indexed(doc("offer:1", "<script>alert(1)</script> Deutschkurs"))
    (hit,) = index.query(SearchQuery(text="Deutschkurs")).hits
    assert hit.highlights["title"] == (
        "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Deutschkurs</mark>"
    )


def test_highlight_escapes_text_without_matches(indexed, doc):
    index = indexed(doc("offer:1", "Kurs <b>", description='"Tom & Jerry" <img src=x>'))
    (hit,) = index.query(SearchQuery(text="")).hits
    assert hit.highlights["title"] == "Kurs &lt;b&gt;"
    assert hit.highlights["description"] == "&#34;Tom &amp; Jerry&#34; &lt;img src=x&gt;"


def test_highlight_marks_stemmed_and_compound_matches(indexed, doc):
    index = indexed(doc("offer:1", "Kurse und Deutschkurs", description="Ein Kurs."))
    (hit,) = index.query(SearchQuery(text="kurs")).hits
    assert hit.highlights["title"] == "<mark>Kurse</mark> und <mark>Deutschkurs</mark>"
    assert hit.highlights["description"] == "Ein <mark>Kurs</mark>."


def test_description_excerpt_shows_the_match(indexed, doc):
    long_text = "Wir treffen uns regelmäßig im Gemeindehaus. " * 20 + "Danach gibt es Kuchen."
    index = indexed(doc("offer:1", "Nachbarschaftstreff", description=long_text))
    (hit,) = index.query(SearchQuery(text="Kuchen")).hits
    excerpt = hit.highlights["description"]
    assert excerpt.startswith("…") and "<mark>Kuchen</mark>." in excerpt
    assert len(excerpt) < 300


def test_no_suggestion_for_words_that_exist_but_are_filtered_out(indexed, doc):
    index = indexed(
        doc("offer:1", "Treff", description="Mit Kaffee und Kuchen"), doc("offer:2", "Kaffe")
    )
    result = index.query(SearchQuery(text="Kaffee", terms={"type": ["location"]}))
    assert result.total == 0 and result.suggestion is None
