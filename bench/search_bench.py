"""Benchmark both search backends on the same synthetic German locations and offers.

    python bench/search_bench.py [--locations 10000] [--offers 100000] [--runs 30] [--procs 2]
                                 [--database-url postgresql+psycopg://kbm:kbm@127.0.0.1/kbm_test]

Generates the documents deterministically (random.Random(seed)), builds a Whoosh index in a
temporary folder and the PostgreSQL tables in a schema of their own (dropped afterwards;
the database needs pg_trgm), then runs a fixed list of 20 queries, all with total and every
facet counted, and prints p50/p95 side by side: Whoosh with cold postings caches (each
query reads its terms from disk) and warm (a busy web worker), PostgreSQL in a transaction
per query (it keeps nothing between queries but the database's buffer cache). It checks
that both answer the same, and times one document written by another writer.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from kbm_map.finding.filters import LAYOUT  # noqa: E402
from kbm_map.search import Near, SearchQuery, SearchResult, WhooshBackend  # noqa: E402
from kbm_map.search.pg.schema import create_tables  # noqa: E402
from kbm_map.search.postgres import PostgresBackend  # noqa: E402

DB = "postgresql+psycopg://kbm:kbm@127.0.0.1:5432/kbm_test"

TOWNS = [  # a Landkreis: name, AGS, lon, lat
    ("Hameln", "03252008", 9.357, 52.104), ("Bad Pyrmont", "03252001", 9.257, 51.987),
    ("Bad Münder", "03252002", 9.465, 52.197), ("Coppenbrügge", "03252004", 9.550, 52.117),
    ("Emmerthal", "03252006", 9.384, 52.052), ("Hessisch Oldendorf", "03252009", 9.249, 52.170),
    ("Aerzen", "03252003", 9.264, 52.048), ("Salzhemmendorf", "03252011", 9.590, 52.067),
]  # fmt: skip
STREETS = ["Hauptstraße", "Bahnhofstraße", "Schulstraße", "Gartenweg", "Lindenallee",
           "Am Markt", "Kirchplatz", "Mühlenstraße", "Wiesenweg", "Goethestraße"]  # fmt: skip
LOCATION_KINDS = [  # label, code, areas
    ("Kita", "kita", ["fruehkindlich"]), ("Grundschule", "grundschule", ["schule"]),
    ("Gesamtschule", "gesamtschule", ["schule"]), ("Volkshochschule", "vhs", ["weiterbildung"]),
    ("Bibliothek", "bibliothek", ["nonformal"]), ("Jugendzentrum", "jugendzentrum", ["nonformal"]),
    ("Beratungsstelle", "beratung", ["beratung"]), ("Musikschule", "musikschule", ["nonformal"]),
    ("Familienzentrum", "familienzentrum", ["fruehkindlich", "nonformal"]),
    ("Berufsbildende Schule", "bbs", ["uebergang", "schule"]),
]  # fmt: skip
TOPICS = [  # label, code, title words
    ("Sprachen", "sprachen", ["Deutschkurs", "Englisch für Anfänger", "Arabisch", "Sprachcafé",
                              "Integrationskurs", "Türkisch Konversation", "Deutsch A2"]),
    ("Digitales", "digital", ["Python-Programmierung", "Smartphone für Senioren", "Excel-Kurs",
                              "Computerkurs", "Bildbearbeitung", "Internet sicher nutzen"]),
    ("Gesundheit", "gesundheit", ["Yoga", "Rückenfit", "Pilates", "Erste Hilfe am Kind",
                                  "Schwimmkurs", "Entspannung für Eltern"]),
    ("Beruf", "beruf", ["Bewerbungstraining", "Berufsorientierung", "Ausbildungsmesse",
                        "Praktikumsbörse", "Existenzgründung"]),
    ("Kultur", "kultur", ["Malen und Zeichnen", "Theaterwerkstatt", "Gitarrenunterricht",
                          "Chor", "Fotografie", "Töpfern"]),
    ("Familie", "familie", ["Elterncafé", "Babyschwimmen", "Krabbelgruppe", "Vorlesestunde",
                            "Hausaufgabenhilfe", "Lernpaten"]),
    ("Natur", "natur", ["Interkulturelle Gärten", "Imkerei", "Waldpädagogik", "Naturerlebnis"]),
]  # fmt: skip
AREAS = ["weiterbildung", "nonformal", "fruehkindlich", "schule", "uebergang", "beratung"]
TARGET_GROUPS = ["kinder", "jugendliche", "eltern", "erwachsene", "senioren", "neuzugewanderte",
                 "behinderung"]  # fmt: skip
LANGUAGES = ["de"] * 8 + ["en", "en", "ar", "tr", "uk", "ru", "fa"]
PROVIDERS = ["VHS Hameln-Pyrmont", "Caritas", "Diakonie", "AWO Kreisverband", "DRK",
             "Stadtbibliothek", "Kreisjugendpflege", "Familienbildungsstätte", "Sportverein",
             "Musikschule Weserbergland", "Landfrauenverein", "Bürgerstiftung"]  # fmt: skip
SENTENCES = [
    "In diesem Angebot lernen die Teilnehmenden {topic} in einer kleinen Gruppe kennen.",
    "Die Leitung hat langjährige Erfahrung mit {group} und arbeitet praxisnah.",
    "Vorkenntnisse sind nicht erforderlich, bitte bringen Sie bequeme Kleidung mit.",
    "Die Räume sind barrierefrei erreichbar und liegen zentral in {town}.",
    "Eine Anmeldung ist telefonisch oder per E-Mail bis eine Woche vor Beginn möglich.",
    "Gefördert wird das Angebot durch den Landkreis und das Land Niedersachsen.",
    "Wir freuen uns auf Sie und beantworten gern Ihre Fragen zu {topic}.",
    "Der Kurs findet wöchentlich statt, Materialkosten werden gesondert berechnet.",
    "Familien mit Bildungsgutschein können kostenlos teilnehmen.",
    "Im Anschluss gibt es Zeit für Austausch bei Kaffee und Kuchen.",
    "Das Team spricht auch Englisch, Arabisch und Ukrainisch.",
    "Die Veranstaltung richtet sich besonders an {group} aus {town} und Umgebung.",
]  # fmt: skip


def _description(rng: random.Random, topic: str, group: str, town: str) -> str:
    """Return a description of about 40-90 words."""
    sentences = rng.sample(SENTENCES, rng.randint(4, 8))
    return " ".join(s.format(topic=topic, group=group, town=town) for s in sentences)


def _position(rng: random.Random, town: tuple[str, str, float, float]) -> tuple[float, float]:
    """Return a point a few kilometres around a town centre."""
    return town[2] + rng.gauss(0, 0.03), town[3] + rng.gauss(0, 0.02)


def generate(seed: int, locations: int, offers: int) -> Iterator[dict[str, Any]]:
    """Yield synthetic location and offer documents, the same ones for the same seed."""
    rng = random.Random(seed)
    places = []
    for n in range(locations):
        town = rng.choice(TOWNS)
        kind, code, areas = rng.choice(LOCATION_KINDS)
        lon, lat = _position(rng, town)
        name = f"{kind} {rng.choice(STREETS).split()[-1]} {town[0]} {n}"
        place = f"{name}, {town[0]}, {rng.choice(STREETS)} {rng.randint(1, 120)}"
        step_free = rng.random() < 0.4
        places.append((name, town, lon, lat, place, code, step_free))
        yield {
            "id": f"location:{n}", "type": "location", "title": name, "kind": kind,
            "description": _description(rng, kind, "Familien", town[0]), "topics": [],
            "provider": rng.choice(PROVIDERS), "place": place,
            "terms": {"type": ["location"], "area": areas, "kind": [code], "topic": [],
                      "target": rng.sample(TARGET_GROUPS, rng.randint(1, 3)),
                      "language": sorted(set(rng.sample(LANGUAGES, rng.randint(1, 3)))),
                      "region": [town[1]]},
            "flags": {"free": rng.random() < 0.6, "step_free": step_free, "online": False},
            "min_age": None, "max_age": None, "dates": [],
            "lon": lon, "lat": lat, "name_sort": name,
        }  # fmt: skip
    first_day = dt.date(2025, 1, 6).toordinal()
    for n in range(offers):
        topic, topic_code, titles = rng.choice(TOPICS)
        group = rng.choice(TARGET_GROUPS)
        name, town, lon, lat, place, kind_code, step_free = rng.choice(places)
        title = f"{rng.choice(titles)} {rng.choice(['', 'für Anfänger', 'Aufbaukurs', 'offen'])}"
        start = first_day + rng.randint(0, 360)
        dates = [dt.date.fromordinal(start + 7 * w).isoformat() for w in range(rng.randint(0, 8))]
        online = rng.random() < 0.1
        min_age = rng.choice([None, None, 0, 3, 6, 12, 16, 18, 60])
        yield {
            "id": f"offer:{n}", "type": "offer", "title": title.strip(),
            "description": _description(rng, topic, group, town[0]),
            "kind": rng.choice(["Kurs", "Beratung", "Veranstaltung", "Offenes Angebot"]),
            "topics": [topic], "provider": rng.choice(PROVIDERS), "place": place,
            "terms": {"type": ["offer"], "area": rng.sample(AREAS, rng.randint(1, 2)),
                      "kind": [kind_code], "topic": [topic_code], "target": [group],
                      "language": sorted(set(rng.sample(LANGUAGES, rng.randint(1, 2)))),
                      "region": [town[1]]},
            "flags": {"free": rng.random() < 0.3, "step_free": step_free, "online": online},
            "min_age": min_age, "max_age": None if min_age is None else min_age + 40,
            "dates": dates, "start": dates[0] if dates else None, "end": None,
            "lon": None if online else lon, "lat": None if online else lat,
            "name_sort": title.strip(),
        }  # fmt: skip


HAMELN = Near(9.357, 52.104, 5000)
MARCH = {"date_from": dt.date(2025, 3, 1), "date_to": dt.date(2025, 3, 31)}
QUERIES = [
    SearchQuery(),
    SearchQuery(text="Kurs"),
    SearchQuery(text="Deutschkurs"),
    SearchQuery(text="Bewerbung"),
    SearchQuery(text="Yoga Senioren"),
    SearchQuery(text="Bibliothek"),
    SearchQuery(text="Kita", terms={"type": ["location"]}),
    SearchQuery(text="Python"),
    SearchQuery(text="Pythn"),  # typo: fuzzy fallback and suggestion
    SearchQuery(text="Gaerten"),
    SearchQuery(text="Hausaufgabenhilfe", flags={"free": True}),
    SearchQuery(text="Eltern", terms={"language": ["ar", "tr"]}),
    SearchQuery(text="Schwimmen", age=5),
    SearchQuery(terms={"area": ["weiterbildung"], "language": ["uk"]}),
    SearchQuery(text="Sprachcafé", near=HAMELN, sort="distance"),
    SearchQuery(near=HAMELN, sort="distance", terms={"type": ["location"]}),
    SearchQuery(text="Kurs", sort="start", **MARCH),
    SearchQuery(text="Beratung Neuzugewanderte", terms={"region": ["03252008"]}),
    SearchQuery(text="Kaffee Kuchen", flags={"step_free": True}, page=3),
    SearchQuery(text="Quantenphysik"),  # rare/absent: suggestion path
]


def _percentiles(times: list[float]) -> tuple[float, float]:
    """Return p50 and p95 of times in milliseconds."""
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def _clear_postings(index: WhooshBackend) -> None:
    """Forget cached postings, so that the next query reads them from disk."""
    for segment in index._segments.values():
        segment.forget_postings()


class Postgres:
    """The PostgreSQL backend on a schema of its own, one transaction per query."""

    def __init__(self, url: str) -> None:
        """Create a schema with the search tables in the database at url."""
        self.schema = f"kbm_search_bench_{os.getpid()}"
        admin = create_engine(url)
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
            conn.exec_driver_sql(f"CREATE SCHEMA {self.schema}")
        admin.dispose()
        options = {"options": f"-csearch_path={self.schema},public"}
        self.engine = create_engine(make_url(url).update_query_dict(options))
        with self.engine.begin() as conn:
            create_tables(conn.connection.cursor())
        self.session = Session(self.engine)
        self.backend = PostgresBackend(LAYOUT, session=lambda: self.session)

    def query(self, query: SearchQuery) -> SearchResult:
        """Answer a query in a transaction of its own, as a web request does."""
        try:
            return self.backend.query(query)
        finally:
            self.session.rollback()

    def size(self) -> int:
        """Return the bytes of the search tables and their indexes."""
        with self.engine.connect() as conn:
            sql = "SELECT sum(pg_total_relation_size(oid)) FROM pg_class WHERE relnamespace = "
            sql += f"'{self.schema}'::regnamespace AND relkind = 'r'"
            return int(conn.exec_driver_sql(sql).scalar())

    def drop(self) -> None:
        """Drop the schema."""
        self.session.close()
        with self.engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
        self.engine.dispose()


def timed(run: Callable[[SearchQuery], SearchResult], query: SearchQuery, runs: int, before=None):  # noqa: ANN001, ANN201
    """Return the seconds of each of runs queries and the last result."""
    times = []
    for _ in range(runs):
        if before:
            before()
        started = time.perf_counter()
        result = run(query)
        times.append(time.perf_counter() - started)
    return times, result


def _answer(result: SearchResult) -> tuple:
    """Return what a result says; hits by title and score (ids differ where both tie)."""
    hits = [(h.highlights["title"], round(h.score, 4)) for h in result.hits]
    return result.total, result.facets, result.suggestion, hits


def measure(whoosh: WhooshBackend, postgres: Postgres, runs: int) -> None:
    """Run every query on both backends and print per-query and overall percentiles."""
    columns = ("Whoosh cold", "Whoosh warm", "PostgreSQL")
    everything: dict[str, list[float]] = {name: [] for name in columns}
    print(f"{'query':28} {'hits':>7}  " + "  ".join(f"{c + ' p50/p95':>22}" for c in columns))
    same = 0
    for query in QUERIES:
        cold, _ = timed(whoosh.query, query, runs, lambda: _clear_postings(whoosh))
        warm, expected = timed(whoosh.query, query, runs)
        pg, result = timed(postgres.query, query, runs)
        row = []
        for name, times in zip(columns, (cold, warm, pg), strict=True):
            everything[name] += times
            row.append("{:9.1f} {:6.1f} ms".format(*_percentiles(times)))
        label = (query.text or "(no text)") + (" +filters" if query.terms or query.flags else "")
        agree = _answer(result) == _answer(expected)
        same += agree
        print(f"  {label[:26]:26} {result.total:7d}  " + "  ".join(row) + ("" if agree else " *"))
    overall = "  ".join("{:9.1f} {:6.1f} ms".format(*_percentiles(t)) for t in everything.values())
    print(f"  {f'all {len(QUERIES)} queries':26} {'':7}  {overall}")
    print(f"the same total, facets and page (titles, scores) on both: {same} of {len(QUERIES)}")


def write_one(whoosh: WhooshBackend, directory: Path, postgres: Postgres, seed: int) -> None:
    """Time one document written by another writer, then the next query of a reader."""
    new = next(generate(seed + 1, 1, 0)) | {"id": "location:bench"}
    writer = WhooshBackend(directory, LAYOUT)
    started = time.perf_counter()
    writer.index([new])
    print(f"Whoosh: index one document + commit {time.perf_counter() - started:.3f} s", end="; ")
    started = time.perf_counter()
    whoosh.query(SearchQuery(text="Kurs"))
    print(f"next query of another reader {time.perf_counter() - started:.3f} s")
    with Session(postgres.engine) as session:
        started = time.perf_counter()
        PostgresBackend(LAYOUT, session=lambda: session).index([new])
        session.commit()
    print(f"PostgreSQL: the same {time.perf_counter() - started:.3f} s", end="; ")
    started = time.perf_counter()
    postgres.query(SearchQuery(text="Kurs"))
    print(f"next query of another connection {time.perf_counter() - started:.3f} s")


def build(args: argparse.Namespace, directory: Path) -> tuple[WhooshBackend, Postgres]:
    """Build both indexes from the same documents and print times and sizes."""
    whoosh = WhooshBackend(directory, LAYOUT)
    started = time.perf_counter()
    count = whoosh.rebuild(generate(args.seed, args.locations, args.offers), args.procs)
    size = sum(f.stat().st_size for f in directory.rglob("*") if f.is_file())
    print(f"Whoosh: {count} documents in {time.perf_counter() - started:.1f} s "
          f"(procs={args.procs}), {size / 1e6:.0f} MB")  # fmt: skip
    postgres = Postgres(args.database_url)
    started = time.perf_counter()
    count = postgres.backend.rebuild(generate(args.seed, args.locations, args.offers))
    postgres.session.commit()
    print(f"PostgreSQL: {count} documents in {time.perf_counter() - started:.1f} s, "
          f"{postgres.size() / 1e6:.0f} MB")  # fmt: skip
    started = time.perf_counter()
    whoosh.query(SearchQuery(facets=()))
    print(f"Whoosh: open (load columns of all segments) {time.perf_counter() - started:.2f} s")
    return whoosh, postgres


def main() -> None:
    """Build the indexes and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locations", type=int, default=10_000)
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--database-url", default=os.environ.get("KBM_TEST_POSTGIS_URL", DB))
    args = parser.parse_args()
    print(f"{dt.datetime.now():%Y-%m-%d %H:%M}, load average {os.getloadavg()[0]:.1f}")
    directory = Path(tempfile.mkdtemp(prefix="kbm-search-bench-"))
    postgres = None
    try:
        whoosh, postgres = build(args, directory)
        print(f"{args.runs} runs per query; Whoosh cold: postings caches emptied before each")
        measure(whoosh, postgres, args.runs)
        write_one(whoosh, directory, postgres, args.seed)
        print(f"load average {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(directory, ignore_errors=True)
        if postgres is not None:
            postgres.drop()


if __name__ == "__main__":
    main()
