"""`kbm-map monitoring …`: figures per Gemeinde for the Bildungsmonitoring."""

from __future__ import annotations

from pathlib import Path

import click
from babel.numbers import format_decimal, format_percent
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from ..extensions import db
from ..models import Term, Vocabulary
from ..models.reach import ReachResult, ReachRun
from ..monitoring.modes import MODES, describe
from ..monitoring.reachability import OSM_ATTRIBUTION, run_reach
from .common import catches_up, reports_errors

APPROXIMATION = (
    "Population points: each Gemeinde's population spread over its residential streets "
    "(an approximation; give --grid with a Zensus grid CSV for figures per 100 m cell)."
)


@click.group("monitoring")
def monitoring_group():
    """Bildungsmonitoring: figures per Gemeinde (reachability)."""


def filter_args(filters: tuple[str, ...]) -> MultiDict:
    """Read NAME=VALUE search filters as URL arguments, or stop with a usage error."""
    pairs = []
    for item in filters:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(
                f"{item!r} is not NAME=VALUE, e.g. area=schule", param_hint="FILTERS"
            )
        pairs.append((name.strip(), value.strip()))
    return MultiDict(pairs)


@monitoring_group.command("reach")
@click.option(
    "--network",
    "network",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="OpenStreetMap extract: .osm, .osm.gz, .osm.bz2 or .osm.pbf.",
)
@click.option("--mode", required=True, type=click.Choice(MODES), help="How people travel.")
@click.option(
    "--kind", "kinds", multiple=True, help="Lernort kind code (repeatable; default: every kind)."
)
@click.option(
    "--grid",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Zensus grid CSV (GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner, EPSG:3035).",
)
@click.argument("filters", nargs=-1)
@reports_errors
@catches_up
def reach_command(network: Path, mode: str, kinds: tuple[str, ...], grid: Path | None, filters):
    """Travel times from where people live to the nearest Lernort of each kind.

    FILTERS are the search page's URL parameters, e.g. area=schule; they choose which
    published Lernorte count. The figures are stored and printed per Gemeinde.
    """
    args = filter_args(filters)
    run = run_reach(
        network, mode, args, kinds=kinds or None, grid=grid, progress=lambda m: click.echo(m)
    )
    click.echo(
        f"Reachability {describe(mode)}; network {run.network_file}: "
        f"{run.node_count:,} nodes, {run.edge_count:,} edges ({OSM_ATTRIBUTION})."
    )
    if run.approximated:
        click.echo(APPROXIMATION)
    else:
        click.echo(f"Population points: grid cells of {run.population_source}.")
    for note in run.notes:
        click.echo(f"  note: {note}")
    labels = _kind_labels()
    for layer in run.layers:
        click.echo("")
        click.echo(
            f"{labels.get(layer.kind, layer.kind)} ({layer.kind}): "
            f"{layer.lernorte} Lernort{'e' if layer.lernorte != 1 else ''}, "
            f"{layer.lernorte_on_network} on the network"
        )
        click.echo(format_table(run, run.results_for(layer.kind)))
    click.echo(f"\nStored as reach run {run.id} ({run.seconds:.1f} s).")


def _kind_labels() -> dict[str, str]:
    """Return the German labels of the Lernort kinds by code."""
    terms = db.session.scalars(select(Term).where(Term.vocabulary == Vocabulary.LOCATION_KIND))
    return {term.code: term.label("de") for term in terms}


def format_table(run: ReachRun, results: list[ReachResult]) -> str:
    """Return the figures as a text table: population and shares within each threshold."""
    limit = max(run.thresholds)
    header = ["Gemeinde", "population", *(f"≤{t} min" for t in run.thresholds)]
    header += ["median", f"over {limit} min", "not covered"]
    rows = [header]
    for result in results:
        median = result.median_minutes
        if median is None:
            median_text = f"> {limit}" if result.population > result.not_covered else "–"
        else:
            median_text = format_decimal(median, format="0.0", locale="de_DE")
        rows.append(
            [
                "All Gemeinden" if result.is_total else result.region_name,
                format_decimal(round(result.population), locale="de_DE"),
                *(_share(result.share(t)) for t in run.thresholds),
                median_text,
                format_decimal(round(result.not_reachable), locale="de_DE"),
                format_decimal(round(result.not_covered), locale="de_DE"),
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    )


def _share(value: float | None) -> str:
    """Return a share in German notation ('91,2 %'), or a dash without population."""
    if value is None:
        return "–"
    return format_percent(value, format="0.0 %", locale="de_DE")


@monitoring_group.command("report")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("filters", nargs=-1)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "html", "xlsx", "csv"]),
    help="File type (default: from OUT's extension).",
)
@click.option("--date", "day", help="Reference date of the listings (YYYY-MM-DD, default today).")
@click.option("--compare", help="A second reference date to compare with, e.g. a year ago.")
@click.option(
    "--indicator", "indicators", multiple=True, help="Only these indicators (repeatable)."
)
@reports_errors
def report_command(out: Path, filters, fmt, day, compare, indicators):
    """Write the committee report: figures per Gemeinde, maps, charts, gaps, sources.

    FILTERS are the search page's URL parameters, e.g. area=schule or kind=kita; they choose
    the Lernorte and Angebote counted. Example:
    kbm-map monitoring report schulen.pdf area=schule --compare 2025-12-31
    """
    from ..finding import ParamError
    from ..monitoring.committee import gather, write_report
    from ..monitoring.params import parse_monitoring

    fmt = fmt or out.suffix.lstrip(".").lower()
    if fmt not in ("pdf", "html", "xlsx", "csv"):
        raise click.BadParameter("give --format pdf|html|xlsx|csv", param_hint="--format")
    if not out.parent.is_dir():  # say so before minutes of gathering
        raise click.BadParameter(f"folder {out.parent} does not exist", param_hint="OUT")
    args = filter_args(filters)
    for name, value in (("date", day), ("compare", compare)):
        if value:
            args.add(name, value)
    try:
        wanted = parse_monitoring(args)
    except ParamError as error:
        raise click.BadParameter(error.message, param_hint=error.param) from None
    monitoring = gather(wanted.params, wanted.day, wanted.compare)
    path = write_report(monitoring, fmt, out, indicators=indicators or None)
    figures = monitoring.coverage
    missing = sum(1 for a in figures.areas if a.population is None)
    click.echo(
        f"Wrote {path} ({fmt}): {len(figures.areas)} Gemeinden, "
        f"{figures.total.lernorte} Lernorte, {figures.total.angebote} Angebote on "
        f"{figures.reference_date.isoformat()}"
        + (f", compared with {wanted.compare.isoformat()}" if wanted.compare else "")
        + "."
    )
    if missing:
        click.echo(
            f"Note: {missing} Gemeinden have no population figure: "
            "run `kbm-map population import` (see README)."
        )
