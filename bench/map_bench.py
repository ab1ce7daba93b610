"""Time /api/v1/map under gunicorn and the map page in headless Chromium on the big demo.

Usage:
  .venv/bin/python bench/map_bench.py [--instance DIR] [--database-url URL] [--requests N]

The demo (10,000 Lernorte, 100,000 Angebote) is built into --instance once (about 5 min with
the search index) and reused on later runs. For each zoom level the script asks for views of
1400 x 900 pixels at random places of the region, as a browser on a desktop screen would, and
prints p50/p95/max latency and the largest body. Then it opens /de/karte in a fresh Chromium
context several times and reports the time from navigation to the first markers drawn.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGION = (9.33, 50.33, 10.03, 50.77)  # the demo region (kbm_map/demo/generator.py)
ZOOMS = (8, 9, 10, 11, 12, 13, 14, 15, 16, 17)
FILTERS = ("", "area=schule", "topic=sprache", "type=offer&when=week", "q=Deutschkurs")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]


def kbm(args: list[str], env: dict) -> None:
    """Run a kbm-map command."""
    subprocess.run([sys.executable, "-m", "kbm_map", *args], env=env, check=True, cwd=ROOT)


def ensure_demo(env: dict, locations: int, offers: int) -> None:
    """Build the demo into the instance folder unless a previous run did."""
    stamp = Path(env["KBM_INSTANCE_PATH"]) / f".map-bench-{locations}-{offers}"
    if stamp.exists():
        return
    print(f"Building the demo ({locations} Lernorte, {offers} Angebote) once …", flush=True)
    kbm(["init-db"], env)
    kbm(["demo", "--locations", str(locations), "--offers", str(offers)], env)
    stamp.write_text("built\n")


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    """Start gunicorn with the project's settings and wait until it answers."""
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            "python:kbm_map.gunicorn_conf",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ],
        env=env,
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start")


def view(zoom: int, rng: random.Random, width: int = 1400, height: int = 900) -> str:
    """Return the bbox of a screen-sized view at a random place of the region."""
    lon = rng.uniform(REGION[0], REGION[2])
    lat = rng.uniform(REGION[1], REGION[3])
    degrees_per_px = 360 / (256 * 2**zoom)
    half_w = width / 2 * degrees_per_px
    half_h = height / 2 * degrees_per_px * math.cos(math.radians(lat))
    return f"{lon - half_w:.5f},{lat - half_h:.5f},{lon + half_w:.5f},{lat + half_h:.5f}"


def measure(port: int, paths: list[str]) -> tuple[list[float], int]:
    """Request the paths over one keep-alive connection; return latencies (ms), largest body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times, largest = [], 0
    for path in paths:
        began = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        times.append((time.perf_counter() - began) * 1000)
        if response.status != 200:
            raise SystemExit(f"{path}: HTTP {response.status} {body[:200]!r}")
        largest = max(largest, len(body))
    return times, largest


def percentile(values: list[float], share: float) -> float:
    """Return the value below which `share` of the values lie."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def bench_api(port: int, requests: int) -> None:
    """Print latency and size per zoom for each filter set."""
    rng = random.Random(2026)
    print("\n| filters | zoom | p50 ms | p95 ms | max ms | largest body |")
    print("|---|---|---|---|---|---|")
    for filters in FILTERS:
        extra = f"&{filters}" if filters else ""
        measure(port, [f"/api/v1/map?bbox={view(12, rng)}&zoom=12{extra}"])  # warm the filter
        for zoom in ZOOMS:
            paths = [
                f"/api/v1/map?bbox={view(zoom, rng)}&zoom={zoom}&lang=de{extra}"
                for _ in range(requests)
            ]
            times, largest = measure(port, paths)
            print(
                f"| {filters or '–'} | {zoom} | {statistics.median(times):.1f} | "
                f"{percentile(times, 0.95):.1f} | {max(times):.1f} | {largest / 1000:.1f} kB |",
                flush=True,
            )


def bench_page(port: int, runs: int) -> None:
    """Print the time from navigation to the first markers drawn on /de/karte."""
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("KBM_CHROMIUM", "/usr/bin/chromium"),
            args=CHROMIUM_ARGS,
        )
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{port}/de/karte")
            page.wait_for_function("() => performance.getEntriesByName('kbm-map-ready').length > 0")
            results.append(
                page.evaluate("performance.getEntriesByName('kbm-map-ready')[0].startTime")
            )
            context.close()
        browser.close()
    print(
        f"\nMap page, navigation to first markers ({runs} fresh contexts): "
        f"median {statistics.median(results):.0f} ms, max {max(results):.0f} ms"
    )


def main() -> None:
    """Parse arguments, build the demo if needed, start gunicorn and measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", default="/tmp/kbm-map-bench")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--locations", type=int, default=10_000)
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=60, help="requests per zoom level")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--page-runs", type=int, default=7)
    options = parser.parse_args()
    Path(options.instance).mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "KBM_ENV": "development", "KBM_INSTANCE_PATH": options.instance}
    if options.database_url:
        env["KBM_DATABASE_URL"] = options.database_url
    ensure_demo(env, options.locations, options.offers)
    port = free_port()
    server = start_gunicorn(env, port, options.workers)
    try:
        print(f"gunicorn, {options.workers} workers, one client; {options.requests} views per zoom")
        bench_api(port, options.requests)
        bench_page(port, options.page_runs)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
