"""Benchmark the search engine on synthetic German locations and offers.

    python bench/search_bench.py [--locations 10000] [--offers 100000] [--runs 30] [--procs 2]

Generates the documents deterministically (random.Random(seed)), builds the index (reports
time and size), then runs a fixed list of 20 queries, all with total and facet counts, and
prints p50/p95: once with cold postings caches (each query reads its terms from disk) and
once warm (repeated queries, as a busy web worker sees them). Also reports the time a worker
needs to reopen after another process commits one document.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kbm_map.finding.filters import LAYOUT  # noqa: E402
from kbm_map.search import Near, SearchQuery, WhooshBackend  # noqa: E402

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
        places.append((name, town, lon, lat, place))
        yield {
            "id": f"location:{n}", "type": "location", "title": name, "kind": kind,
            "kind_code": code, "description": _description(rng, kind, "Familien", town[0]),
            "areas": areas, "topics": [], "topic_codes": [],
            "target_groups": rng.sample(TARGET_GROUPS, rng.randint(1, 3)),
            "languages": sorted(set(rng.sample(LANGUAGES, rng.randint(1, 3)))),
            "provider": rng.choice(PROVIDERS), "place": place, "region": town[1],
            "min_age": None, "max_age": None, "free": rng.random() < 0.6,
            "step_free": rng.random() < 0.4, "online": False, "dates": [],
            "lon": lon, "lat": lat, "name_sort": name.lower(),
        }  # fmt: skip
    first_day = dt.date(2025, 1, 6).toordinal()
    for n in range(offers):
        topic, topic_code, titles = rng.choice(TOPICS)
        group = rng.choice(TARGET_GROUPS)
        name, town, lon, lat, place = rng.choice(places)
        title = f"{rng.choice(titles)} {rng.choice(['', 'für Anfänger', 'Aufbaukurs', 'offen'])}"
        start = first_day + rng.randint(0, 360)
        dates = [dt.date.fromordinal(start + 7 * w).isoformat() for w in range(rng.randint(0, 8))]
        online = rng.random() < 0.1
        min_age = rng.choice([None, None, 0, 3, 6, 12, 16, 18, 60])
        yield {
            "id": f"offer:{n}", "type": "offer", "title": title.strip(),
            "description": _description(rng, topic, group, town[0]),
            "kind": rng.choice(["Kurs", "Beratung", "Veranstaltung", "Offenes Angebot"]),
            "kind_code": rng.choice(["course", "counselling", "event", "service"]),
            "areas": rng.sample(["weiterbildung", "nonformal", "fruehkindlich", "schule",
                                 "uebergang", "beratung"], rng.randint(1, 2)),
            "topics": [topic], "topic_codes": [topic_code], "target_groups": [group],
            "languages": sorted(set(rng.sample(LANGUAGES, rng.randint(1, 2)))),
            "provider": rng.choice(PROVIDERS), "place": place, "region": town[1],
            "min_age": min_age, "max_age": None if min_age is None else min_age + 40,
            "free": rng.random() < 0.3, "step_free": rng.random() < 0.4, "online": online,
            "dates": dates, "lon": None if online else lon, "lat": None if online else lat,
            "name_sort": title.lower(),
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


def _percentiles(times: list[float]) -> str:
    """Return p50 and p95 of times in milliseconds."""
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"p50 {statistics.median(ordered) * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms"


def _clear_postings(index: WhooshBackend) -> None:
    """Forget cached postings, so that the next query reads them from disk."""
    for segment in index._segments.values():
        segment.forget_postings()


def measure(index: WhooshBackend, runs: int, cold: bool) -> list[float]:
    """Run every query runs times and print per-query and overall percentiles."""
    everything: list[float] = []
    for query in QUERIES:
        times = []
        for _ in range(runs):
            if cold:
                _clear_postings(index)
            started = time.perf_counter()
            result = index.query(query)
            times.append(time.perf_counter() - started)
        everything += times
        label = query.text or "(no text)"
        print(f"  {label[:26]:26} {result.total:7d} hits  {_percentiles(times)}")
    print(f"  {'all 20 queries':26} {'':12}{_percentiles(everything)}")
    return everything


def main() -> None:
    """Build the index and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locations", type=int, default=10_000)
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--dir", type=Path, help="index directory (default: a temporary one)")
    parser.add_argument("--reuse", action="store_true", help="skip the build, use --dir as is")
    args = parser.parse_args()
    directory = args.dir or Path(tempfile.mkdtemp(prefix="kbm-search-bench-"))
    try:
        index = WhooshBackend(directory, LAYOUT)
        if not args.reuse:
            started = time.perf_counter()
            count = index.rebuild(generate(args.seed, args.locations, args.offers), args.procs)
            print(f"build: {count} documents in {time.perf_counter() - started:.1f} s "
                  f"with procs={args.procs}")  # fmt: skip
        size = sum(f.stat().st_size for f in directory.rglob("*") if f.is_file())
        print(f"index size: {size / 1e6:.1f} MB")
        started = time.perf_counter()
        index.query(SearchQuery(facets=()))
        print(f"open (load columns of all segments): {time.perf_counter() - started:.2f} s")
        print(f"cold postings ({args.runs} runs per query):")
        measure(index, args.runs, cold=True)
        print(f"warm postings ({args.runs} runs per query):")
        measure(index, args.runs, cold=False)
        writer = WhooshBackend(directory, LAYOUT)
        started = time.perf_counter()
        writer.index([next(generate(args.seed + 1, 1, 0)) | {"id": "location:bench"}])
        print(f"index one document + commit: {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        index.query(SearchQuery(text="Kurs"))
        print(f"first query after another writer's commit: {time.perf_counter() - started:.3f} s")
    finally:
        if not args.dir:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
