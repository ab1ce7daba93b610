"""The tables of the PostgreSQL search backend, created by the migration 2c1f0b7e9a4d.

The index is organised like Whoosh's segments, in blocks of BLOCK documents: every document
gets the next document number (seq) when it is written and keeps it until the next rebuild;
a write appends to the newest block, a removal only clears the document's bit in its block's
`live` bitmap (the postings of removed documents stay, as in a Whoosh segment, until a
rebuild). So a write never rewrites what others read, and what a process has read of a generation
stays true (cache.py); a query reads a few rows per term and the live bitmaps.

    search_state      key/value: "stamp" (format and facet layout), "next_seq", "generation"
                      (a random name per rebuild)
    search_documents  one row per live document: its id and what filters and sorts read
    search_texts      its title and description, for the highlights of the hits
    search_blocks     per block: live bitmap, field lengths (Whoosh's one-byte code), sums
    search_postings   per (kind, term, block): document positions (uint16, ascending) and,
                      for stems ("w"), the frequencies in title, tags and description (uint8
                      each); "g" 4-grams and "s" spelling words have positions only
    search_facets     per (facet, value, block): a bitmap of the documents with the value

The tables are PostgreSQL only and not part of the app's SQLAlchemy metadata (derived data,
types SQLite lacks); kbm_map.db.include_object leaves tables outside the metadata alone.
"""

from __future__ import annotations

BLOCK = 4096  # documents per block: positions fit in uint16, bitmaps are bit(BLOCK)
FORMAT = 1  # the layout of these tables; stored in the stamp, a change needs a rebuild

TABLES = (
    "search_facets",
    "search_postings",
    "search_blocks",
    "search_texts",
    "search_documents",
    "search_state",
)

DDL = (
    """CREATE TABLE search_state (
        key text PRIMARY KEY,
        value text NOT NULL
    )""",
    """CREATE TABLE search_documents (
        seq integer PRIMARY KEY,
        id text NOT NULL UNIQUE,
        min_age integer,
        max_age integer,
        sessions date[] NOT NULL,
        start_day date,
        end_day date,
        lon double precision,
        lat double precision,
        name_key text COLLATE "C" NOT NULL
    )""",
    """CREATE TABLE search_texts (
        seq integer PRIMARY KEY,
        title text NOT NULL,
        description text NOT NULL
    )""",
    """CREATE TABLE search_blocks (
        block integer PRIMARY KEY,
        live bit varying NOT NULL,
        lengths bytea NOT NULL,
        totals bigint[] NOT NULL
    )""",
    """CREATE TABLE search_postings (
        kind "char" NOT NULL,
        term text COLLATE "C" NOT NULL,
        block integer NOT NULL,
        docs bytea NOT NULL,
        freqs bytea,
        PRIMARY KEY (kind, term, block)
    )""",
    # Typo tolerance: spelling words similar to a typed one (pg_trgm).
    """CREATE INDEX search_postings_spelling ON search_postings
        USING gin (term gin_trgm_ops) WHERE kind = 's'""",
    """CREATE TABLE search_facets (
        facet text COLLATE "C" NOT NULL,
        value text COLLATE "C" NOT NULL,
        block integer NOT NULL,
        bits bit varying NOT NULL,
        PRIMARY KEY (facet, value, block)
    )""",
)

TRIGRAM_HINT = (
    "The PostgreSQL database has no pg_trgm extension and kbm-map could not create it "
    "({detail}). Run 'CREATE EXTENSION pg_trgm;' in that database as a superuser (Debian: "
    "it comes with the postgresql-15 package)."
)


def has_trigram_extension(cursor) -> bool:
    """Tell whether pg_trgm is installed in the database."""
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    return cursor.fetchone() is not None


def create_tables(cursor) -> None:
    """Create the search tables (pg_trgm must be installed)."""
    for statement in DDL:
        cursor.execute(statement)


def drop_tables(cursor) -> None:
    """Drop the search tables if they exist."""
    for table in TABLES:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
