"""Data commands of `kbm-map`: import, refresh, regions, gazetteer, export."""

from __future__ import annotations

import signal
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import click
from tqdm import tqdm

from .common import catches_up, reports_errors

SHOWN = 20  # lines of each list (withdrawn, without position, rejected) printed


@contextmanager
def _progress(label: str):
    """Yield a row counter shown as a progress bar with throughput on stderr (TTY only)."""
    with tqdm(desc=label, unit=" rows", file=sys.stderr, disable=None, leave=False) as bar:
        yield bar.update


@contextmanager
def _termination_as_interrupt():
    """Treat `kill` (SIGTERM) like Ctrl-C, so the run rolls back and is recorded as interrupted."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        """Raise KeyboardInterrupt where the program is, as Ctrl-C does."""
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _listing(title: str, lines: list[str]) -> None:
    """Print a short list with a title, cut after SHOWN lines."""
    if not lines:
        return
    click.echo(f"{title}:")
    for line in lines[:SHOWN]:
        click.echo(f"  {line}")
    if len(lines) > SHOWN:
        click.echo(f"  … and {len(lines) - SHOWN} more")


def _print_summary(summary, report: Path | None) -> None:
    """Print what an import did."""
    what = "Lernorte" if summary.target == "location" else "Angebote"
    click.echo(
        f"{summary.source} ({what} from {Path(summary.file).name}, {summary.rows} rows): "
        f"{summary.new} new, {summary.changed} changed, {summary.unchanged} unchanged, "
        f"{len(summary.withdrawn)} withdrawn, {len(summary.rejected)} rejected, "
        f"{len(summary.unplaced)} without position; "
        f"kept {summary.kept_edits} hand-edited field{'s' if summary.kept_edits != 1 else ''} "
        f"({summary.seconds:.1f} s)"
    )
    if summary.geocoded:
        click.echo(
            f"Placed by the postcode gazetteer: {summary.geocoded['place']} by place, "
            f"{summary.geocoded['postcode']} by postcode centre"
        )
    _listing("Withdrawn from the source (archived)", [f"{i} {n}" for i, n in summary.withdrawn])
    _listing(
        "Imported without a position",
        [f"file {f}, row {r}: {i} {n}" for f, r, i, n in summary.unplaced],
    )
    _listing("Rejected", [str(r) for r in summary.rejected])
    _listing(f"Warnings ({len(summary.warnings)})", summary.warnings)
    if report is not None:
        click.echo(f"Rejected rows written to {report}")
    if summary.index_note:
        click.echo(f"Note: {summary.index_note}", err=True)
    if summary.dry_run:
        click.echo("Dry run: nothing was changed.")


def _write_report(summary, report: str | None) -> Path | None:
    """Write the rejected rows to the report file (by default only if there are any)."""
    from ..services.imports import write_report

    if report is None and not summary.rejected:
        return None
    path = Path(report or f"{summary.source}-rejected.csv")
    return write_report(summary.rejected, path)


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--mapping",
    "-m",
    required=True,
    help="Mapping file, or the name of a shipped one (geodata/mappings), e.g. jedeschule-schulen.",
)
@click.option("--source", help="Name of the source (default: the file name without extension).")
@click.option("--dry-run", is_flag=True, help="Check and count everything, change nothing.")
@click.option(
    "--report",
    type=click.Path(dir_okay=False),
    help="CSV file for rejected rows (default: ./<source>-rejected.csv, if any are rejected).",
)
@click.option(
    "--no-index",
    is_flag=True,
    help="Leave the search index alone (for bulk loads; run `kbm-map reindex` afterwards).",
)
@reports_errors
@catches_up
def import_command(file: str, mapping: str, source, dry_run: bool, report, no_index: bool):
    """Import Lernorte or Angebote from FILE and remember it as a source for `refresh`."""
    from ..services.imports import run_import

    try:
        with _termination_as_interrupt(), _progress(Path(file).name) as progress:
            summary = run_import(
                file,
                mapping,
                source,
                dry_run=dry_run,
                progress=progress,
                update_index=not no_index,
            )
    except KeyboardInterrupt:
        click.echo("Import interrupted: nothing was changed.", err=True)
        sys.exit(130)
    _print_summary(summary, _write_report(summary, report))


@click.command("refresh")
@click.argument("sources", nargs=-1)
@reports_errors
@catches_up
def refresh_command(sources: tuple[str, ...]):
    """Re-import every recorded source (or the ones named) from its file or URL."""
    from ..services.refresh import recorded_sources, refresh_sources

    if not recorded_sources(sources):
        click.echo("No sources recorded yet: `kbm-map import` records each file it imports.")
        return
    failed = 0
    bars: list[tqdm] = []

    def bar(source: str):
        """Start a progress bar for one source (shown only on a terminal)."""
        bars.append(tqdm(desc=source, unit=" rows", file=sys.stderr, disable=None, leave=False))
        return bars[-1].update

    try:
        with _termination_as_interrupt():
            for result in refresh_sources(sources, progress=bar):
                while bars:
                    bars.pop().close()
                if result.error:
                    click.echo(f"Error: {result.source}: {result.error}", err=True)
                    failed += 1
                else:
                    _print_summary(result.summary, _write_report(result.summary, None))
    except KeyboardInterrupt:
        click.echo("Refresh interrupted: the source being read was not changed.", err=True)
        sys.exit(130)
    if failed:
        raise click.ClickException(f"{failed} source(s) could not be refreshed; see above.")


@click.group("regions")
def regions_group():
    """Gemeinden and districts with outlines and population."""


@regions_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--mapping", "-m", default="bkg-gemeinden", show_default=True)
@click.option("--population", type=click.Path(dir_okay=False), help="CSV of inhabitants per AGS.")
@click.option("--population-mapping", default="destatis-kreise", show_default=True)
@click.option(
    "--no-index",
    is_flag=True,
    help="Leave the search index alone (run `kbm-map reindex` afterwards).",
)
@reports_errors
@catches_up
def regions_import_command(
    file: str, mapping: str, population, population_mapping: str, no_index: bool
):
    """Import regions from FILE (upsert by code) and give every Lernort its region.

    When Lernorte change region, the search index is rebuilt afterwards.
    """
    from ..services.regions import import_regions

    summary = import_regions(
        file, mapping, population, population_mapping, update_index=not no_index
    )
    click.echo(
        f"Regions: {summary.new} new, {summary.changed} changed, {summary.unchanged} unchanged, "
        f"{len(summary.rejected)} rejected; {summary.locations_assigned} Lernorte got a new region "
        f"({summary.seconds:.1f} s)"
    )
    if population:
        click.echo(
            f"Population: {summary.population_set} regions matched, "
            f"{summary.population_unmatched} rows matched no region"
        )
    _listing("Rejected", [str(r) for r in summary.rejected])
    if summary.index_note:
        click.echo(f"Note: {summary.index_note}")


@click.group("gazetteer")
def gazetteer_group():
    """The postcode gazetteer for placing addresses without coordinates."""


@gazetteer_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--mapping", "-m", default="geonames-plz", show_default=True)
@reports_errors
@catches_up
def gazetteer_import_command(file: str, mapping: str):
    """Replace the gazetteer with the postcodes and places in FILE."""
    from ..services.gazetteer import import_gazetteer

    with _progress(Path(file).name) as progress:
        summary = import_gazetteer(file, mapping, progress=progress)
    click.echo(
        f"Gazetteer: {summary.places} places in {summary.postcodes} postcodes, "
        f"{len(summary.rejected)} rejected ({summary.seconds:.1f} s)"
    )
    _listing("Rejected", [str(r) for r in summary.rejected])


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["geojson", "csv", "hsds"]),
    required=True,
    help="File type.",
)
@click.option("--offers", is_flag=True, help="Export Angebote instead of Lernorte (geojson, csv).")
@click.option("--source", help="Only entries of this source.")
@reports_errors
def export_command(file: str, fmt: str, offers: bool, source: str | None):
    """Export the published Lernorte or Angebote with attribution and licence notes."""
    from ..exports import export

    written = export(file, fmt, offers=offers, source=source)
    click.echo(
        f"Exported {written.locations} Lernorte and {written.offers} Angebote to "
        f"{', '.join(str(p) for p in written.files)}"
    )


DATA_COMMANDS = (
    import_command,
    refresh_command,
    regions_group,
    gazetteer_group,
    export_command,
)
