"""Setting up an installation: init-db, demo, reindex, create-user, config."""

from __future__ import annotations

import time

import click
from flask import current_app

from .common import catch_up_index, catches_up, reports_errors


@click.command("init-db")
@reports_errors
def init_db_command():
    """Create the database schema or migrate it to the newest version."""
    from ..db import check_connection, upgrade_schema
    from ..services.taxonomy import seed_terms

    backend = check_connection()
    upgrade_schema()
    added = seed_terms()
    click.echo(f"Database ready ({backend}); {added} taxonomy terms added.")
    if _search_index_outdated():
        click.echo("The search index was built by an older kbm-map or for other filters.")
        _rebuild_search_index()  # it does the pending index work, too
    else:
        catch_up_index()


def _search_index_outdated() -> bool:
    """Tell whether the search backend's stored index needs a rebuild to be read."""
    from ..finding import search_backend

    outdated = getattr(search_backend(), "outdated", None)
    return bool(outdated and outdated())


@click.command("demo")
@click.option("--locations", default=300, show_default=True, help="Number of Lernorte.")
@click.option("--offers", default=1500, show_default=True, help="Number of Angebote.")
@click.option("--seed", default=2026, show_default=True, help="Random seed (same seed, same data).")
@click.option(
    "--reach",
    is_flag=True,
    help="Also write a made-up street network and compute reachability (a few seconds).",
)
@reports_errors
def demo_command(locations: int, offers: int, seed: int, reach: bool):
    """Replace the demo data with a made-up region (other data is left alone)."""
    from ..demo import load_demo

    if locations < 1 or offers < 0:
        raise click.BadParameter("needs at least one Lernort and no negative offers")
    summary = load_demo(locations=locations, offers=offers, seed=seed, progress=click.echo)
    click.echo(
        f"Demo region {summary['region']!r}: {summary['regions']} Gemeinden, "
        f"{summary['locations']} Lernorte, {summary['offers']} Angebote "
        f"in {summary['seconds']:.1f} s."
    )
    _rebuild_search_index()
    if reach:
        from ..demo.reach import demo_reachability

        demo_reachability(seed, progress=click.echo)


def _rebuild_search_index() -> None:
    """Rebuild the search index and say how long it took."""
    from ..services.indexing import rebuild_index

    began = time.perf_counter()
    click.echo("Building the search index …")
    count = rebuild_index()
    click.echo(f"Search index: {count} entries in {time.perf_counter() - began:.1f} s.")


@click.command("reindex")
@reports_errors
def reindex_command():
    """Rebuild the search index from the database (the site keeps answering meanwhile)."""
    _rebuild_search_index()


@click.command("create-user")
@click.argument("email")
@click.option("--name", default="", help="Full name shown in the audit trail.")
@click.option(
    "--role",
    type=click.Choice(["admin", "editor"]),
    default="editor",
    show_default=True,
    help="admin: everything incl. users and imports; editor: listings.",
)
@click.password_option(help="Asked for interactively if not given (at least 12 characters).")
@reports_errors
@catches_up
def create_user_command(email: str, name: str, role: str, password: str):
    """Add a staff account; there is no default password anywhere."""
    from ..services.users import create_user

    user = create_user(email, name, role, password)
    click.echo(f"Created {user.role} account {user.email}.")


@click.command("config")
def config_command():
    """Show the KBM_* settings in effect (secrets hidden)."""
    from ..config import SETTINGS

    for setting in SETTINGS:
        value = current_app.config.get(setting.key)
        if setting.env == "KBM_SECRET_KEY":
            value = "(set)" if value else "(not set)"
        elif setting.env == "KBM_DATABASE_URL":
            from sqlalchemy.engine import make_url

            value = make_url(value).render_as_string(hide_password=True)
        click.echo(f"{setting.env:28} {value}\n{'':28} {setting.help}")


SETUP_COMMANDS = (
    init_db_command,
    demo_command,
    reindex_command,
    create_user_command,
    config_command,
)
