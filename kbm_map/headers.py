"""Security headers on every response: CSP with a per-request nonce, nosniff, referrer, framing.

One after_request hook of the app sets them on whatever left a view, an error handler or a
redirect. A response that already carries a Content-Security-Policy (the staff area, the
embeddable map with its KBM_EMBED_ORIGINS) keeps it; Cache-Control is never touched here.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, g

# Public pages link to providers' sites and load tiles from the tile host: those see this
# site's origin (the OSM tile policy wants a Referer), never a path or a search query.
REFERRER_POLICY = "strict-origin-when-cross-origin"


def csp_nonce() -> str:
    """Return this request's nonce for inline scripts (folium's map setup), made on first use."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def tile_source() -> str:
    """Return the tile server's origin from KBM_TILE_URL ({s} becomes *), or "" without tiles."""
    parts = urlsplit(current_app.config.get("TILE_URL") or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{re.sub(r'{[a-z]}', '*', parts.netloc)}"
    return ""


def content_security_policy(ancestors: str = "'none'") -> str:
    """Return the site's policy: own assets, nonce'd inline scripts, tiles from their host."""
    tiles = tile_source()
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{csp_nonce()}'",
            "style-src 'self'",
            f"img-src 'self' data: {tiles}".rstrip(),
            f"connect-src 'self' {tiles}".rstrip(),
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {ancestors}",
        )
    )


def add_security_headers(response):
    """Add the headers a response lacks; a policy a view or blueprint set stays as it is."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", REFERRER_POLICY)
    if "Content-Security-Policy" not in headers:
        headers["Content-Security-Policy"] = content_security_policy()
    if "X-Frame-Options" not in headers and "frame-ancestors 'none'" in headers.get(
        "Content-Security-Policy", ""
    ):
        headers["X-Frame-Options"] = "DENY"
    return response


def forget_nonce() -> None:
    """Start each request without a nonce, also where requests share an app context (tests)."""
    g.pop("csp_nonce", None)


def init_app(app: Flask) -> None:
    """Register the hook for every response and the nonce as a template global."""
    app.before_request(forget_nonce)
    app.after_request(add_security_headers)
    app.add_template_global(csp_nonce)
