"""Small text helpers shared by services and importers."""

from __future__ import annotations

import re
import unicodedata

_GERMAN = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
)


def slugify(text: str, max_length: int = 120) -> str:
    """Turn a name into a URL part: 'Am Bärenbach' → 'am-baerenbach'."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_GERMAN))
    ascii_text = ascii_text.encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "eintrag"


def unique_slug(base: str, taken: set[str]) -> str:
    """Return `base`, or `base-2`, `base-3` … whichever is not taken yet, and mark it taken."""
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug
