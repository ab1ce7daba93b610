"""`kbm-map check`: the dashboard's findings as a plain-text report for a monthly cron mail."""

from __future__ import annotations

import sys

import click

from .common import reports_errors

KIND_NAMES = {"location": "Lernort", "offer": "Angebot", "import": "Import"}


@click.command("check")
@click.option("--limit", default=20, show_default=True, help="Entries listed per finding.")
@reports_errors
def check_command(limit: int):
    """Report what needs attention; exit status 1 if anything does (for cron mails)."""
    from ..services.freshness import findings

    attention = False
    for finding in findings():
        click.echo(f"{finding.label}: {finding.count}")
        for item in finding.items[:limit]:
            kind = KIND_NAMES.get(item["type"], item["type"])
            detail = f" – {item['detail']}" if item.get("detail") else ""
            click.echo(f"  {kind} {item['id']}: {item['name']}{detail}")
        if finding.count > limit:
            click.echo(f"  … und {finding.count - limit} weitere")
        attention = attention or finding.count > 0
    attention = _report_index() or attention
    attention = _report_gaps(limit) or attention
    if attention:
        click.echo("Es gibt etwas zu tun: siehe /admin/ (Übersicht).")
        sys.exit(1)
    click.echo("Alles aktuell.")


def _report_index() -> bool:
    """Print the index work an interrupted write left in the outbox; return whether any."""
    from ..services.indexing import pending_work

    work = pending_work()
    if work.rebuild:
        click.echo(
            f"Suchindex: Neuaufbau ausstehend seit {work.since:%Y-%m-%d %H:%M} UTC "
            "(behebt `kbm-map reindex`)"
        )
    elif work.entries:
        click.echo(
            f"Suchindex: {work.entries} Einträge nicht aktuell seit {work.since:%Y-%m-%d %H:%M} "
            "UTC (behebt der nächste schreibende Befehl oder `kbm-map reindex`)"
        )
    return work.rebuild or work.entries > 0


def _report_gaps(limit: int) -> bool:
    """Print the gap rules that Gemeinden miss; return whether any does."""
    from ..monitoring.gaps import evaluate
    from ..monitoring.reach_lookup import latest_shares

    found = False
    for result in evaluate(reach=latest_shares):
        if result.not_evaluated:
            click.echo(f"Angebotslücke {result.rule.id}: nicht geprüft – {result.not_evaluated}")
            continue
        click.echo(f"Angebotslücke {result.rule.title}: {len(result.failing)} Gemeinden")
        for shortfall in result.failing[:limit]:
            estimated = " (geschätzt)" if shortfall.estimated else ""
            click.echo(
                f"  {shortfall.name} ({shortfall.code}): fehlt {shortfall.missing}{estimated}"
            )
        if len(result.failing) > limit:
            click.echo(f"  … und {len(result.failing) - limit} weitere")
        found = found or bool(result.failing)
    return found
