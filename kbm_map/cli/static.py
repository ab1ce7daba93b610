"""`kbm-map build-static`: write a self-contained map site of a selection."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from werkzeug.datastructures import MultiDict

from ..finding import ParamError
from ..static_site import build_static_site
from .common import reports_errors


@click.command("build-static")
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.argument("filters", nargs=-1)
@click.option("--lang", help="Language of the pages (default: the site's default language).")
@click.option("--force", is_flag=True, help="Replace the contents of a non-empty OUTDIR.")
@reports_errors
def build_static_command(outdir: Path, filters: tuple[str, ...], lang: str | None, force: bool):
    """Write a self-contained map site (map, list, Lernort pages) for a selection.

    FILTERS are the search page's URL parameters, e.g. area=schule region=06631001 q=Sprache.
    """
    pairs = []
    for item in filters:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(
                f"{item!r} is not NAME=VALUE, e.g. area=schule", param_hint="FILTERS"
            )
        pairs.append((name.strip(), value.strip()))
    lang = lang or current_app.config["BABEL_DEFAULT_LOCALE"]
    if lang not in current_app.config["LANGUAGES"]:
        raise click.BadParameter(
            f"choose one of {' '.join(current_app.config['LANGUAGES'])}", param_hint="--lang"
        )
    with current_app.test_request_context(f"/{lang}/"):
        try:
            count = build_static_site(outdir, MultiDict(pairs), lang, force)
        except ParamError as error:
            raise click.BadParameter(error.message, param_hint=error.param) from None
    click.echo(f"Wrote {count} Lernorte to {outdir.resolve()}; open index.html there.")
