"""Time `kbm-map import` and `kbm-map refresh` of 10,000 Lernorte and 100,000 Angebote from CSV.

Usage: .venv/bin/python bench/import_bench.py [--locations N] [--offers N]
       [--skip-index | --only-index]

The CSV files are made from the deterministic demo generator in kbm-map's own export format
and read with the shipped mappings kbm-export-locations and kbm-export-offers. Two fresh
SpatiaLite instances are timed: one importing with `--no-index` followed by one
`kbm-map reindex`, one importing with the search index updated by the import itself
(left out with --skip-index). Each then refreshes the unchanged files (rows whose record is
unchanged since the last run are skipped), and imports the Angebote once more with a copy
of their mapping that differs by a comment, which makes every row be mapped and compared
again (as after any change of the mapping, taxonomy or kbm-map itself).
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from kbm_map.demo.generator import generate
from kbm_map.exports.formats import csv_value
from kbm_map.exports.rows import LOCATION_COLUMNS, OFFER_COLUMNS
from kbm_map.services.datafiles import resolve_mapping
from kbm_map.services.taxonomy import load_taxonomy

TODAY = date(2026, 11, 23)  # fixed, so every run reads the same files


def write_files(folder: Path, locations: int, offers: int) -> tuple[Path, Path]:
    """Write the Lernorte and Angebote CSV files and return their paths."""
    region = generate(locations, offers, seed=2026, today=TODAY)
    labels = {e["code"]: e["de"] for e in load_taxonomy()["location_kind"]}
    areas = {e["code"]: e.get("areas", []) for e in load_taxonomy()["location_kind"]}
    places = folder / "lernorte.csv"
    rows = []
    for loc in region.locations:
        lon, lat = loc["position"] or (None, None)
        rows.append(
            {
                **loc,
                "id": f"L{loc['key']}",
                "kind": labels[loc["kind"]],
                "areas": areas[loc["kind"]],
                "organization": loc["provider"],
                "lon": lon,
                "lat": lat,
            }
        )
    _write(places, LOCATION_COLUMNS, rows)
    courses = folder / "angebote.csv"
    rows = []
    for offer in region.offers:
        amount = offer["cost_amount"]
        rows.append(
            {
                **offer,
                "id": f"A{offer['key']}",
                "locations": [f"L{offer['location_key']}"],
                "organization": offer["provider"],
                "cost": "free" if offer["cost_kind"] == "free" else f"{amount:.2f}",
                "sessions": [f"{s.isoformat()}/{e.isoformat()}" for s, e in offer["sessions"]],
            }
        )
    _write(courses, OFFER_COLUMNS, rows)
    return places, courses


def _write(path: Path, columns: tuple[str, ...], rows: list[dict]) -> None:
    """Write rows as CSV in the export format."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows([csv_value(row.get(c)) for c in columns] for row in rows)


def _cpu() -> float:
    """Return the CPU seconds (user + system) used by finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(args: list[str], env: dict) -> float:
    """Run a kbm-map command, show its timings and first output line; return wall seconds.

    CPU time is shown too: on a shared machine it is a steadier measure than wall time.
    """
    began, cpu = time.perf_counter(), _cpu()
    done = subprocess.run(
        [sys.executable, "-m", "kbm_map", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    seconds, used = time.perf_counter() - began, _cpu() - cpu
    last = (done.stdout.strip().splitlines() or [""])[0]
    print(f"  {seconds:6.1f} s (CPU {used:6.1f} s)  kbm-map {args[0]} … {last[:90]}")
    return seconds


def instance(places: Path, courses: Path, index: bool) -> dict[str, float]:
    """Time init-db, both imports, (reindex) and a refresh on a fresh SpatiaLite instance."""
    folder = tempfile.mkdtemp(prefix="kbm-import-bench-")
    env = {**os.environ, "KBM_ENV": "development", "KBM_INSTANCE_PATH": folder}
    env.pop("KBM_DATABASE_URL", None)
    no_index = [] if index else ["--no-index"]
    times = {"init-db": run(["init-db"], env)}
    times["import Lernorte"] = run(
        ["import", str(places), "-m", "kbm-export-locations", "--source", "lernorte", *no_index],
        env,
    )
    times["import Angebote"] = run(
        ["import", str(courses), "-m", "kbm-export-offers", "--source", "angebote", *no_index],
        env,
    )
    if not index:
        times["reindex"] = run(["reindex"], env)
    times["refresh (unchanged)"] = run(["refresh"], env)
    mapping = Path(folder) / "kbm-export-offers.toml"
    shipped = resolve_mapping("kbm-export-offers").read_text(encoding="utf-8")
    mapping.write_text(shipped + "\n# a changed mapping: every row is read again\n", "utf-8")
    times["import Angebote, mapping changed"] = run(
        ["import", str(courses), "-m", str(mapping), "--source", "angebote", *no_index], env
    )
    return times


def main() -> None:
    """Generate the files, time both instances and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locations", type=int, default=10_000)
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--skip-index", action="store_true", help="skip the run with the index")
    parser.add_argument("--only-index", action="store_true", help="only the run with the index")
    options = parser.parse_args()
    print(f"Load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    folder = Path(tempfile.mkdtemp(prefix="kbm-import-files-"))
    began = time.perf_counter()
    places, courses = write_files(folder, options.locations, options.offers)
    megabytes = (places.stat().st_size + courses.stat().st_size) / 2**20
    print(f"Files: {megabytes:.0f} MB in {time.perf_counter() - began:.1f} s ({folder})")
    if not options.only_index:
        print("Without the search index (import --no-index, then reindex):")
        plain = instance(places, courses, index=False)
        both = plain["import Lernorte"] + plain["import Angebote"]
        print(f"  imports together: {both:.1f} s; with reindex: {both + plain['reindex']:.1f} s")
    if not options.skip_index:
        print("With the search index updated by each import:")
        indexed = instance(places, courses, index=True)
        both = indexed["import Lernorte"] + indexed["import Angebote"]
        print(f"  imports together: {both:.1f} s")


if __name__ == "__main__":
    main()
