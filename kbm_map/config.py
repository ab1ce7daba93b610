"""Settings from KBM_* environment variables, with defaults for a development install."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from .errors import ConfigError

SUPPORTED_LANGUAGES = ("de", "en", "ar", "uk", "tr")
GERMANY_BBOX = (5.5, 47.2, 15.5, 55.1)


@dataclass(frozen=True)
class Setting:
    """One KBM_* variable: its config key, default and meaning (shown by `kbm-map config`)."""

    env: str
    key: str
    default: str
    help: str


SETTINGS = (
    Setting("KBM_ENV", "KBM_ENV", "production", "production or development"),
    Setting(
        "KBM_DATABASE_URL",
        "SQLALCHEMY_DATABASE_URI",
        "",
        "database URL; default: SpatiaLite file in the instance folder",
    ),
    Setting("KBM_SECRET_KEY", "SECRET_KEY", "", "signs sessions; required in production"),
    Setting(
        "KBM_SITE_NAME",
        "SITE_NAME",
        "Bildungslandkarte",
        "name shown in the header and page titles",
    ),
    Setting(
        "KBM_REGION_NAME", "REGION_NAME", "", "name of the region served, e.g. Landkreis Fulda"
    ),
    Setting("KBM_MAP_CENTER", "MAP_CENTER", "50.55,9.68", "default map centre as lat,lon"),
    Setting("KBM_MAP_ZOOM", "MAP_ZOOM", "10", "default map zoom level"),
    Setting(
        "KBM_REGION_BBOX",
        "REGION_BBOX",
        "",
        "min_lon,min_lat,max_lon,max_lat; positions outside are rejected",
    ),
    Setting("KBM_TILE_URL", "TILE_URL", "", "map tile URL template; empty: no third-party tiles"),
    Setting("KBM_TILE_ATTRIBUTION", "TILE_ATTRIBUTION", "", "attribution shown for the tiles"),
    Setting(
        "KBM_EMBED_ORIGINS",
        "EMBED_ORIGINS",
        "",
        "origins allowed to embed the map, space separated",
    ),
    Setting("KBM_DEFAULT_LANGUAGE", "BABEL_DEFAULT_LOCALE", "de", "default UI language"),
    Setting("KBM_LANGUAGES", "LANGUAGES", " ".join(SUPPORTED_LANGUAGES), "UI languages offered"),
    Setting(
        "KBM_SEARCH_BACKEND",
        "SEARCH_BACKEND",
        "whoosh",
        "whoosh (index on this machine's disk) or postgres (in the database, for several servers)",
    ),
    Setting(
        "KBM_SEARCH_INDEX_DIR",
        "SEARCH_INDEX_DIR",
        "",
        "search index folder; default: instance/search-index",
    ),
    Setting(
        "KBM_SPATIALITE_LIBRARY",
        "SPATIALITE_LIBRARY",
        "mod_spatialite",
        "SpatiaLite extension to load",
    ),
    Setting(
        "KBM_STALE_AFTER_DAYS",
        "STALE_AFTER_DAYS",
        "365",
        "entries not checked for this long count as out of date",
    ),
    Setting(
        "KBM_GAP_RULES",
        "GAP_RULES",
        "",
        "TOML file of the monitoring's gap rules; default: geodata/gaps.toml",
    ),
    Setting(
        "KBM_PUBLIC_FIGURES",
        "PUBLIC_FIGURES",
        "0",
        "1: publish the monitoring figures (page /<lang>/zahlen and /api/v1/monitoring)",
    ),
    Setting(
        "KBM_RATELIMIT_STORAGE_URL",
        "RATELIMIT_STORAGE_URI",
        "memory://",
        "Flask-Limiter storage, e.g. redis://localhost:6379",
    ),
    Setting(
        "KBM_LOGIN_RATE_LIMIT",
        "LOGIN_RATE_LIMIT",
        "10 per minute",
        "staff login attempts per client address",
    ),
    Setting(
        "KBM_REPORT_RATE_LIMIT",
        "REPORT_RATE_LIMIT",
        "5 per 10 minutes",
        "public change reports and suggestions per client address",
    ),
    Setting(
        "KBM_FIGURES_RATE_LIMIT",
        "FIGURES_RATE_LIMIT",
        "30 per minute",
        "public monitoring figures (page Zahlen, /api/v1/monitoring) per client address",
    ),
)


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    """Read the settings from the environment, apply overrides and validate them."""
    config = {s.key: os.environ.get(s.env, s.default) for s in SETTINGS}
    config.update(overrides or {})
    config["KBM_ENV"] = str(config["KBM_ENV"]).strip().lower()
    if config["KBM_ENV"] not in ("production", "development"):
        raise ConfigError(
            f"KBM_ENV must be 'production' or 'development', not {config['KBM_ENV']!r}."
        )
    _check_instance_folder(instance_path)
    if not config["SQLALCHEMY_DATABASE_URI"]:
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(instance_path) / 'kbm-map.sqlite'}"
    config["SQLALCHEMY_DATABASE_URI"] = _check_database_url(config["SQLALCHEMY_DATABASE_URI"])
    config["SEARCH_BACKEND"] = _check_search_backend(config)
    if not config["SEARCH_INDEX_DIR"]:
        config["SEARCH_INDEX_DIR"] = str(Path(instance_path) / "search-index")
    config["SECRET_KEY"] = config["SECRET_KEY"] or _development_secret(config, instance_path)
    _check_secret_length(config)
    config["MAP_CENTER"] = _parse_floats("KBM_MAP_CENTER", config["MAP_CENTER"], 2)
    config["MAP_ZOOM"] = _parse_int("KBM_MAP_ZOOM", config["MAP_ZOOM"], 1, 19)
    bbox = config["REGION_BBOX"]
    config["REGION_BBOX"] = _parse_floats("KBM_REGION_BBOX", bbox, 4) if bbox else GERMANY_BBOX
    config["STALE_AFTER_DAYS"] = _parse_int(
        "KBM_STALE_AFTER_DAYS", config["STALE_AFTER_DAYS"], 1, 3650
    )
    config["LANGUAGES"] = _parse_languages(config["LANGUAGES"])
    config["PUBLIC_FIGURES"] = _parse_switch("KBM_PUBLIC_FIGURES", config["PUBLIC_FIGURES"])
    if config["GAP_RULES"] and not Path(config["GAP_RULES"]).is_file():
        raise ConfigError(f"KBM_GAP_RULES names {config['GAP_RULES']}, which is not a file.")
    if config["BABEL_DEFAULT_LOCALE"] not in config["LANGUAGES"]:
        raise ConfigError(
            f"KBM_DEFAULT_LANGUAGE {config['BABEL_DEFAULT_LOCALE']!r} is not one of KBM_LANGUAGES "
            f"({' '.join(config['LANGUAGES'])})."
        )
    if isinstance(config["EMBED_ORIGINS"], str):
        config["EMBED_ORIGINS"] = tuple(config["EMBED_ORIGINS"].replace(",", " ").split())
    for name in ("LOGIN_RATE_LIMIT", "REPORT_RATE_LIMIT", "FIGURES_RATE_LIMIT"):
        config[name] = _check_rate_limit(f"KBM_{name}", config[name])
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {}
    return config


def _check_search_backend(config: dict) -> str:
    """Accept whoosh, or postgres on a PostgreSQL database."""
    backend = str(config["SEARCH_BACKEND"]).strip().lower()
    if backend not in ("whoosh", "postgres"):
        raise ConfigError(f"KBM_SEARCH_BACKEND must be 'whoosh' or 'postgres', not {backend!r}.")
    if backend == "postgres" and make_url(config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() != (
        "postgresql"
    ):
        raise ConfigError(
            "KBM_SEARCH_BACKEND=postgres needs a PostgreSQL database (KBM_DATABASE_URL); "
            "with SQLite use whoosh."
        )
    return backend


def _check_rate_limit(name: str, value) -> str:
    """Accept a Flask-Limiter rate such as '10 per minute' or say what is wrong with it."""
    from limits import parse_many

    try:
        parse_many(str(value))
    except ValueError:
        raise ConfigError(
            f"{name} must be a rate such as '10 per minute' or '5 per 10 minutes', not {value!r}."
        ) from None
    return str(value)


def _check_instance_folder(path: str) -> None:
    """Create the instance folder if needed and make sure we can write to it."""
    try:
        os.makedirs(path, exist_ok=True)
        probe = Path(path) / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(
            f"The instance folder {path} is not writable ({exc.strerror}): "
            "fix its permissions or point KBM_INSTANCE_PATH at a writable folder."
        ) from None


def _check_database_url(url: str) -> str:
    """Accept SQLite (SpatiaLite) and PostgreSQL (PostGIS) URLs, explain anything else."""
    example = "sqlite:////path/to/kbm-map.sqlite or postgresql+psycopg://user:password@host/dbname"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"KBM_DATABASE_URL {url!r} is not a database URL; expected {example}."
        ) from None
    backend = parsed.get_backend_name()
    if backend == "postgresql" and parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"KBM_DATABASE_URL uses {backend!r}; kbm-map supports SQLite/SpatiaLite and "
            f"PostgreSQL/PostGIS, e.g. {example}."
        )
    if backend == "sqlite" and parsed.database and parsed.database != ":memory:":
        folder = Path(parsed.database).expanduser().resolve().parent
        if not folder.is_dir() or not os.access(folder, os.W_OK):
            raise ConfigError(
                f"KBM_DATABASE_URL points at {parsed.database}, but the folder {folder} "
                "does not exist or is not writable."
            )
    return parsed.render_as_string(hide_password=False)


def _development_secret(config: dict, instance_path: str) -> str:
    """Refuse to run production without a key; in development keep one in the instance folder."""
    if config["KBM_ENV"] == "production":
        raise ConfigError(
            "KBM_SECRET_KEY is not set. Set it to a long random value "
            "(python3 -c 'import secrets; print(secrets.token_hex(32))'), "
            "or set KBM_ENV=development for a local test install."
        )
    key_file = Path(instance_path) / "secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


MIN_SECRET_LENGTH = 32


def _check_secret_length(config: dict) -> None:
    """In production refuse a key shorter than MIN_SECRET_LENGTH characters (easy to guess)."""
    key = str(config["SECRET_KEY"])
    if config["KBM_ENV"] == "production" and len(key) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"KBM_SECRET_KEY has {len(key)} characters; production needs at least "
            f"{MIN_SECRET_LENGTH} (python3 -c 'import secrets; print(secrets.token_hex(32))')."
        )


def _parse_floats(name: str, value, count: int) -> tuple[float, ...]:
    """Parse 'a,b[,c,d]' into floats or say what is wrong with it."""
    if isinstance(value, list | tuple):
        return tuple(float(v) for v in value)
    try:
        numbers = tuple(float(part) for part in str(value).split(","))
    except ValueError:
        numbers = ()
    if len(numbers) != count:
        raise ConfigError(f"{name} must be {count} comma-separated numbers, not {value!r}.")
    return numbers


def _parse_switch(name: str, value) -> bool:
    """Parse 1/0 (also true/false, yes/no, on/off) or say what is wrong with it."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("", "0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be 1 or 0, not {value!r}.")


def _parse_int(name: str, value, low: int, high: int) -> int:
    """Parse an integer within bounds or say what is wrong with it."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a whole number, not {value!r}.") from None
    if not low <= number <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, not {number}.")
    return number


def _parse_languages(value) -> tuple[str, ...]:
    """Parse the offered UI languages and reject ones without a translation."""
    languages = (
        tuple(value)
        if isinstance(value, list | tuple)
        else tuple(str(value).replace(",", " ").split())
    )
    unknown = [code for code in languages if code not in SUPPORTED_LANGUAGES]
    if unknown or not languages:
        raise ConfigError(
            f"KBM_LANGUAGES contains {' '.join(unknown) or 'nothing'}; "
            f"available are {' '.join(SUPPORTED_LANGUAGES)}."
        )
    return languages
