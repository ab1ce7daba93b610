"""What every kbm-map command shares: errors a user can cause become one line."""

from __future__ import annotations

import functools

import click

from ..errors import KbmMapError
from ..search import SearchIndexBusyError, SearchIndexOutdatedError


def reports_errors(command):
    """Turn errors a user can cause into one line on stderr and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (KbmMapError, SearchIndexBusyError, SearchIndexOutdatedError) as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper
