"""Embedding the map in other sites: who may frame it, the iframe snippet, oEmbed."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import current_app, request, url_for
from markupsafe import escape
from werkzeug.datastructures import MultiDict

from .. import headers
from ..errors import ConfigError

# A CSP host source with scheme: https://example.org, https://*.example.org, http://host:8080
ORIGIN = re.compile(r"^https?://(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$")
DEFAULT_HEIGHT = 480
DEFAULT_WIDTH = 640  # oEmbed wants a number; the iframe itself takes the full width
OEMBED_PATH = re.compile(r"^/(?:embed/map|(?P<lang>[a-z]{2})/karte)$")


def check_embed_origins(origins) -> None:
    """Refuse KBM_EMBED_ORIGINS entries that are not origins (they would weaken the policy)."""
    for origin in origins:
        if origin != "*" and not ORIGIN.match(origin):
            raise ConfigError(
                f"KBM_EMBED_ORIGINS contains {origin!r}; list origins like "
                "https://www.example.de (space separated), or * to allow every site."
            )


def frame_ancestors() -> str:
    """Return who may frame the embed: this site, plus the configured origins (* for all)."""
    origins = current_app.config["EMBED_ORIGINS"]
    if "*" in origins:
        return "*"
    return " ".join(("'self'", *origins))


def content_security_policy(ancestors: str) -> str:
    """Return the map pages' policy: the site's own, framed by `ancestors`."""
    return headers.content_security_policy(ancestors)


def embed_args(args: MultiDict, drop=("page", "per_page", "sort")) -> MultiDict:
    """Return the query arguments worth keeping in an embed URL."""
    return MultiDict([(k, v) for k, v in args.items(multi=True) if k not in drop and v != ""])


def embed_url(args: MultiDict) -> str:
    """Return the absolute embed URL for filters and options."""
    query = urlencode(list(embed_args(args).items(multi=True)))
    base = url_for("mapview.embed", _external=True)
    return f"{base}?{query}" if query else base


def iframe_snippet(src: str, height: int, title: str) -> str:
    """Return the HTML a web team pastes into its CMS."""
    return (
        f'<iframe src="{escape(src)}" title="{escape(title)}" width="100%" '
        f'height="{int(height)}" style="border:0" loading="lazy" '
        f'referrerpolicy="strict-origin-when-cross-origin"></iframe>'
    )


def oembed_target(url: str) -> MultiDict | None:
    """Return the query of a map or embed URL of this site, or None for any other URL."""
    parts = urlsplit(url)
    own = urlsplit(request.host_url)
    if parts.scheme not in ("http", "https") or parts.netloc != own.netloc:
        return None
    path = OEMBED_PATH.match(parts.path)
    if not path:
        return None
    args = MultiDict(parse_qsl(parts.query, keep_blank_values=True))
    if path.group("lang") and "lang" not in args:
        args["lang"] = path.group("lang")
    return args


def oembed_url(page_url: str) -> str:
    """Return the oEmbed discovery URL for a page."""
    return url_for("mapview.oembed", url=page_url, format="json", _external=True)
