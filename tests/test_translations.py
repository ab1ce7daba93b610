"""The UI catalogues: English, Arabic, Ukrainian and Turkish are complete and well-formed.

German is the source language. When a test here fails because a string is missing,
run `make translations` and translate the new entries in
kbm_map/translations/<lang>/LC_MESSAGES/messages.po.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = ROOT / "kbm_map" / "translations"
TRANSLATED = ("en", "ar", "uk", "tr")
# The same options as `make translations` (see the Makefile).
EXTRACT_OPTIONS = ["-k", "_l", "-k", "lazy_gettext", "--no-location", "--sort-output"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")
HOW_TO_FIX = "run `make translations` and translate the new entries in {path}"


def po_path(lang: str) -> Path:
    return CATALOGUES / lang / "LC_MESSAGES" / "messages.po"


def load(lang: str):
    with po_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


def compile_stale_catalogues() -> None:
    """Compile .po files whose .mo is missing or older (what `make setup` does).

    Runs while pytest collects, so every app the session creates reads current catalogues.
    """
    for lang in TRANSLATED:
        po, mo = po_path(lang), po_path(lang).with_suffix(".mo")
        if po.exists() and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
            with mo.open("wb") as handle:
                write_mo(handle, load(lang))


compile_stale_catalogues()


@pytest.fixture(scope="module")
def source_ids(tmp_path_factory) -> set:
    """Extract the messages of the current sources, as `make translations` does."""
    pot = tmp_path_factory.mktemp("extract") / "messages.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), *EXTRACT_OPTIONS]
        + ["-o", str(pot), str(ROOT)]
    )
    with pot.open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


def test_make_translations_uses_the_same_extraction_options():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-F babel.cfg " + " ".join(EXTRACT_OPTIONS) in makefile


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_covers_every_message_in_the_sources(lang, source_ids):
    catalogue_ids = {message.id for message in load(lang) if message.id}
    missing = sorted(source_ids - catalogue_ids, key=str)
    assert not missing, (
        f"{len(missing)} UI string(s) have no {lang} entry, e.g. {missing[:5]}: "
        + HOW_TO_FIX.format(path=po_path(lang).relative_to(ROOT))
    )


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_is_translated_and_well_formed(lang):
    catalogue = load(lang)
    assert str(catalogue.locale) == lang
    fix = HOW_TO_FIX.format(path=po_path(lang).relative_to(ROOT))
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy {lang} entries (check and remove the flag): {fuzzy[:5]}"
    empty = [
        m.id
        for m in catalogue
        if m.id and not all(m.string if isinstance(m.string, tuple) else (m.string,))
    ]
    assert not empty, f"untranslated {lang} entries {empty[:5]}: {fix}"
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalogue.check()]
    assert not problems, f"{lang}: {problems[:5]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_placeholders(lang):
    catalogue = load(lang)
    for message in catalogue:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            # Plural forms may leave out the number ("one report"), but every name they use
            # must exist and together they use them all.
            wanted = set(PLACEHOLDER.findall(message.id[1]))
            forms = [set(PLACEHOLDER.findall(form)) for form in message.string]
            assert len(forms) == catalogue.num_plurals, message.id
            assert all(form <= wanted for form in forms), (lang, message.id, message.string)
            assert set().union(*forms) == wanted, (lang, message.id, message.string)
            continue
        assert set(PLACEHOLDER.findall(message.string)) == set(PLACEHOLDER.findall(message.id)), (
            lang,
            message.id,
            message.string,
        )
        leftover = PLACEHOLDER.sub("", message.string).replace("%%", "")
        if message.python_format:
            assert "%" not in leftover, (lang, message.id, message.string)
        assert message.id[:1].isspace() == message.string[:1].isspace(), (lang, message.id)
        assert message.id[-1:].isspace() == message.string[-1:].isspace(), (lang, message.id)


def text(lang: str, msgid: str) -> str:
    """Return a translation as the templates print it (HTML-escaped)."""
    message = load(lang).get(msgid)
    assert message is not None and message.string, (lang, msgid)
    return escape(message.string, quote=False)


def page(client, url: str) -> str:
    """Fetch a page in an app context of its own, as a real request gets one.

    The `client` fixture keeps one app context open for the whole test, so without this
    every request would share `g` and with it the language Flask-Babel chose first.
    """
    with client.application.app_context():
        return client.get(url).get_data(as_text=True)


def test_pages_are_shown_in_the_language_of_the_url(client):
    heading = "Lernorte und Bildungsangebote in der Region"

    arabic = page(client, "/ar/")
    assert '<html lang="ar" dir="rtl">' in arabic
    assert f"<h1>{text('ar', heading)}</h1>" in arabic
    assert "أماكن التعلّم والعروض التعليمية في المنطقة" in arabic
    assert heading not in arabic

    ukrainian = page(client, "/uk/suche?q=x")
    assert '<html lang="uk" dir="ltr">' in ukrainian
    assert text("uk", "Leider nichts gefunden.") in ukrainian
    assert "На жаль, нічого не знайдено." in ukrainian
    assert text("uk", "Zum Inhalt springen") in ukrainian
    assert "Leider nichts gefunden." not in ukrainian

    turkish = page(client, "/tr/")
    assert '<html lang="tr" dir="ltr">' in turkish
    assert f"<h1>{text('tr', heading)}</h1>" in turkish
    assert text("tr", "Zum Inhalt springen") == "İçeriğe geç"
    assert "İçeriğe geç" in turkish

    english = page(client, "/en/")
    assert '<html lang="en" dir="ltr">' in english
    assert "<h1>Learning places and education offers in the region</h1>" in english
    assert text("en", heading) == "Learning places and education offers in the region"
    assert "Zum Inhalt springen" not in english

    german = page(client, "/de/")
    assert f"<h1>{heading}</h1>" in german
