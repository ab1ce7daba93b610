"""What every kbm-map command shares: errors a user can cause become one line."""

from __future__ import annotations

import functools

import click
from sqlalchemy.exc import SQLAlchemyError

from ..errors import KbmMapError
from ..importers.records import one_line
from ..search import SearchIndexBusyError, SearchIndexOutdatedError


def reports_errors(command):
    """Turn errors a user can cause into one line on stderr and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (KbmMapError, SearchIndexBusyError, SearchIndexOutdatedError) as exc:
            # One printable line: a file's lone surrogates or line breaks must not break it.
            raise click.ClickException(one_line(str(exc), 10_000)) from None

    return wrapper


def catches_up(command):
    """Before a write command, do the index work an interrupted earlier write left behind.

    A command run with --no-index leaves the index alone, the pending work included.
    """

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        if not kwargs.get("no_index"):
            catch_up_index()
        return command(*args, **kwargs)

    return wrapper


def catch_up_index() -> None:
    """Catch the search index up with the outbox; say so, or why not, in one line."""
    from ..extensions import db
    from ..services.indexing import catch_up

    try:
        done = catch_up()
    except (SearchIndexBusyError, SearchIndexOutdatedError, SQLAlchemyError, OSError) as exc:
        db.session.rollback()
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        click.echo(f"Note: search index not caught up ({detail}); see `kbm-map check`", err=True)
        return
    if done:
        click.echo(
            f"Search index: caught up ({done} entries) with what an earlier write left.", err=True
        )
