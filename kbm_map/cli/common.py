"""What every kbm-map command shares: errors a user can cause become one line."""

from __future__ import annotations

import functools

import click

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
