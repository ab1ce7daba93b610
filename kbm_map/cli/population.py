"""`kbm-map population`: official population figures per region, date and age group."""

from __future__ import annotations

from datetime import date

import click

from .common import catches_up, reports_errors


@click.group("population")
def population_group():
    """Population figures per region, reference date and age group (for Bildungsmonitoring)."""


@population_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--mapping",
    "-m",
    default="destatis-gv-gemeinden",
    show_default=True,
    help="Mapping file or shipped mapping, e.g. genesis-12411-altersgruppen (age groups).",
)
@click.option(
    "--date",
    "on",
    help="Reference date (Stichtag) YYYY-MM-DD; default: the date in the file's title.",
)
@click.option(
    "--source", help="Name of the figures' source (default: the file name without extension)."
)
@reports_errors
@catches_up
def population_import_command(file: str, mapping: str, on: str | None, source):
    """Store the population figures in FILE for its reference date, in one transaction.

    A new import of the same source and date replaces its figures. Rows of regions here
    are kept, and those of the Kreise of the Gemeinden here (for their age shares).
    """
    from ..services.population import import_population

    summary = import_population(file, mapping, _date(on), source)
    kept = ""
    if summary.kreise:
        kept = f" and Kreis {', '.join(summary.kreise)} (age shares for its Gemeinden)"
    click.echo(
        f"Population on {summary.reference_date.isoformat()} from {summary.file} "
        f"(source {summary.source}): {_count(summary.regions, 'region')}{kept}; figures: "
        f"{summary.new} new, {summary.changed} changed, {summary.unchanged} unchanged, "
        f"{summary.removed} removed ({summary.seconds:.1f} s)"
    )
    if summary.unmatched_note:
        click.echo(summary.unmatched_note)
    if summary.without_figures:
        click.echo(f"{summary.without_figures:,} rows without any figure skipped (footnotes, '-').")
    if summary.populations_updated:
        click.echo(f"{summary.populations_updated} regions now show their newest total on the map.")


def _count(number: int, noun: str) -> str:
    """Return '1 region', '23 regions'."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _date(value: str | None) -> date | None:
    """Read --date, or complain in one line."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise click.ClickException(f"--date {value!r}: is not a date as YYYY-MM-DD") from None


POPULATION_COMMANDS = (population_group,)
