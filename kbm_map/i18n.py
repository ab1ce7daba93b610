"""UI languages: the language lives in the URL (/de/…, /ar/…), labels come from Babel."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, abort, current_app, g, has_request_context, request, url_for
from flask_babel import get_locale
from werkzeug.routing import BaseConverter

from . import __version__
from .extensions import babel

LANGUAGE_NAMES = {
    "de": "Deutsch",
    "en": "English",
    "ar": "العربية",
    "uk": "Українська",
    "tr": "Türkçe",
}


def pull_language(endpoint, values):
    """Take the language out of a blueprint's URL and reject languages this site does not offer."""
    if values and "lang" in values:
        lang = values.pop("lang")
        if lang not in current_app.config["LANGUAGES"]:
            abort(404)
        g.lang = lang


def add_language(endpoint, values):
    """Keep the current language in every URL built for this blueprint."""
    if "lang" not in values and current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
        values["lang"] = g.get("lang") or select_locale()


def select_locale() -> str:
    """Pick the language from the URL, else the browser's preference, else the default."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():  # the CLI has no request
        return default
    lang = g.get("lang")
    if lang:
        return lang
    return request.accept_languages.best_match(current_app.config["LANGUAGES"]) or default


def text_direction() -> str:
    """Return 'rtl' for right-to-left languages such as Arabic."""
    return get_locale().text_direction


def language_url(code: str, external: bool = False) -> str:
    """Return the current page in another language (the home page if it has no language)."""
    endpoint, args = request.endpoint, dict(request.view_args or {})
    if endpoint and current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
        args.update(lang=code)
        query = [(k, v) for k, v in request.args.items(multi=True) if k not in args]
        url = url_for(endpoint, _external=external, **args)
        return f"{url}?{urlencode(query)}" if query else url
    return url_for("public.home", lang=code, _external=external)


class LanguageConverter(BaseConverter):
    """URL part for a language code: two lower-case letters (so /favicon.ico is not one)."""

    regex = "[a-z]{2}"


def init_app(app: Flask) -> None:
    """Configure Flask-Babel and expose language helpers to the templates."""
    app.url_map.converters["lang"] = LanguageConverter
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = "translations"
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def inject_language():
        """Make the current language, its direction and the offered languages available."""
        return {
            "current_language": str(get_locale()),
            "text_direction": text_direction(),
            "languages": [(c, LANGUAGE_NAMES[c]) for c in app.config["LANGUAGES"]],
            "language_url": language_url,
            "kbm_version": __version__,
        }
