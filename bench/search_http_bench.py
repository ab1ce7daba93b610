"""Measure the search API and results page over HTTP on the production server (gunicorn).

Usage:
  .venv/bin/python bench/search_http_bench.py --instance DIR [--rounds 10] [--workers 2]
DIR is an instance folder holding a loaded demo (e.g. made by bench/demo_bench.py, which
prints its folder). The script runs `kbm-map init-db` there (a no-op when current), starts
gunicorn on 127.0.0.1, sends each of 20 fixed queries `rounds` times to /api/v1/search and to
/de/suche, one request at a time over a kept-alive connection, and prints p50/p95/max.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A mix of common and rare words, with and without filters; every request counts facets.
QUERIES = [
    "q=Deutschkurs",
    "q=Kurs",
    "q=Kita",
    "q=Bibliothek",
    "q=Beratung",
    "q=Python",
    "q=Gitarre&free=1",
    "q=Bewerbung&target=jugendliche",
    "q=Yoga&when=month",
    "q=Integrationskurs&language=ar",
    "q=Eltern&area=fruehkindliche_bildung",
    "q=Musikschule",
    "q=Robotik",
    "q=Repair",
    "q=Theater&step_free=1",
    "q=Sprachf%C3%B6rderung",
    "area=weiterbildung&free=1",
    "type=location&kind=kita",
    "q=Bibliotek",
    "q=Deutschkurs&near=36100&radius=10&sort=distance",
]


def percentile(values: list[float], share: float) -> float:
    """Return the value below which `share` of the values lie."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(port: int, path: str, rounds: int) -> list[float]:
    """Request every query `rounds` times and return the latencies in milliseconds."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    timings = []
    for _ in range(rounds):
        for query in QUERIES:
            began = time.perf_counter()
            connection.request("GET", f"{path}?{query}")
            response = connection.getresponse()
            response.read()
            timings.append((time.perf_counter() - began) * 1000)
            if response.status != 200:
                raise SystemExit(f"{path}?{query} answered {response.status}")
    return timings


def main() -> None:
    """Start gunicorn, warm it up, measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", required=True)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=5099)
    options = parser.parse_args()
    env = {
        **os.environ,
        "KBM_ENV": "production",
        "KBM_SECRET_KEY": "bench-only-secret",
        "KBM_INSTANCE_PATH": os.path.abspath(options.instance),
    }
    subprocess.run(
        [sys.executable, "-m", "kbm_map", "init-db"], env=env, check=True, capture_output=True
    )
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "python:kbm_map.gunicorn_conf",
            "--workers",
            str(options.workers),
            "--bind",
            f"127.0.0.1:{options.port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", options.port, timeout=1).request(
                    "GET", "/healthz"
                )
                break
            except OSError:
                time.sleep(0.2)
        measure(options.port, "/api/v1/search", 2)  # warm-up: load columns, caches
        measure(options.port, "/de/suche", 2)
        for label, path in (
            ("API /api/v1/search", "/api/v1/search"),
            ("page /de/suche", "/de/suche"),
        ):
            timings = measure(options.port, path, options.rounds)
            print(
                f"{label}: {len(timings)} requests, p50 {statistics.median(timings):.1f} ms, "
                f"p95 {percentile(timings, 0.95):.1f} ms, max {max(timings):.1f} ms"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
