"""The `kbm-map` command line (also reachable as `flask --app kbm_map …`)."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup

from ..errors import KbmMapError
from .check import check_command
from .data import DATA_COMMANDS
from .monitoring import monitoring_group
from .population import POPULATION_COMMANDS
from .setup import SETUP_COMMANDS
from .static import build_static_command

COMMANDS = (
    *SETUP_COMMANDS,
    *DATA_COMMANDS,
    *POPULATION_COMMANDS,
    monitoring_group,
    build_static_command,
    check_command,
)

HELP = """kbm-map: the Bildungslandkarte of your region.

\b
First steps:
  kbm-map init-db            create the database (or bring it up to date)
  kbm-map demo               fill it with a made-up demo region
  kbm-map create-user EMAIL  add a staff account (asks for the password)
  kbm-map run                serve the site on http://127.0.0.1:5000

Settings come from KBM_* environment variables; `kbm-map config` lists them.
"""


def init_app(app: Flask) -> None:
    """Register the kbm-map commands on the app's CLI."""
    for command in COMMANDS:
        app.cli.add_command(command)


def main() -> None:
    """Run the `kbm-map` console script."""
    from .. import create_app

    try:
        app = create_app()
    except KbmMapError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    group = FlaskGroup(
        create_app=lambda: app, help=HELP, load_dotenv=False, add_version_option=False
    )
    group.main(prog_name="kbm-map")
