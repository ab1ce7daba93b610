"""Errors a user can cause, each with a message that says what to do."""


class KbmMapError(Exception):
    """Base class for problems reported to the user as one clear sentence."""


class ConfigError(KbmMapError):
    """The configuration (environment variables, instance folder) is invalid."""


class DatabaseSetupError(KbmMapError):
    """The database cannot be used: missing extension, unreachable server, wrong schema."""
