"""Time /api/v1/map/regions (the choropleth) uncached, in-process, on the big demo.

The demo (10,000 Lernorte, 100,000 Angebote) is built into --instance once (reused by later
runs). Each round forgets the map's memory (kbm_map.mapview.cache: the figures of a filter set;
with --outlines also the simplified outlines, which are otherwise kept until the Gemeinden
change), then asks for the choropleth of each filter set through the Flask test client; a
cProfile of one uncached request without filters is printed at the end (--profile).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
FILTERS = ("", "area=schule", "topic=sprache", "type=offer&when=week", "kind=kita")


def forget(outlines: bool) -> None:
    """Forget the remembered figures (and with outlines, the simplified outlines too)."""
    from kbm_map.mapview import cache, regions

    cache.MEMORY.wrote()
    if outlines:
        regions._shapes.clear()


def main() -> None:
    """Build the demo if needed, then time the uncached choropleth per filter set."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instance", default="/tmp/kbm-map-regions-bench")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--locations", type=int, default=10_000)
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--outlines",
        action="store_true",
        help="simplify the outlines again for every request (they are kept per import state)",
    )
    args = parser.parse_args()
    os.makedirs(args.instance, exist_ok=True)
    env = dict(os.environ, KBM_INSTANCE_PATH=args.instance, KBM_ENV="development")
    if args.database_url:
        env["KBM_DATABASE_URL"] = args.database_url
    os.environ.update(env)
    from map_bench import ensure_demo

    ensure_demo(env, args.locations, args.offers)
    from kbm_map import create_app

    app = create_app()
    client = app.test_client()
    with app.app_context():
        for query in FILTERS:
            times, size = [], 0
            for _ in range(args.rounds):
                forget(args.outlines)
                start = time.perf_counter()
                response = client.get(f"/api/v1/map/regions?{query}")
                times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.data[:300]
                size = len(response.data)
            features = len(response.get_json()["features"])
            print(
                f"{query or '(no filter)':24} uncached median {statistics.median(times):7.1f} ms"
                f"  max {max(times):7.1f} ms  {features} Gemeinden  {size / 1024:.1f} kB",
                flush=True,
            )
        if args.profile:
            forget(args.outlines)
            profile = cProfile.Profile()
            profile.enable()
            client.get("/api/v1/map/regions")
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
