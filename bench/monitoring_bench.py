"""Time the Bildungsmonitoring on the big demo: coverage, gap rules, pages and the report.

Usage:
  .venv/bin/python bench/monitoring_bench.py [--instance DIR] [--database-url URL] [--rounds N]

Builds the demo (10,000 Lernorte, 100,000 Angebote, with population figures, a made-up past
and the demo's street network and reachability runs) into --instance once and reuses it.
Then it times, in one process with the app: the coverage of several selections today and at
a past date (the audit-trail reconstruction), all gap rules as the staff dashboard evaluates
them, the staff monitoring page and the PDF and XLSX report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from werkzeug.datastructures import MultiDict

ROOT = Path(__file__).resolve().parent.parent
SELECTIONS = ("", "area=schule", "kind=kita", "kind=grundschule", "target=neuzugewanderte")


def kbm(args: list[str], env: dict) -> None:
    """Run a kbm-map command."""
    subprocess.run([sys.executable, "-m", "kbm_map", *args], env=env, check=True, cwd=ROOT)


def ensure_demo(env: dict, locations: int, offers: int) -> None:
    """Build the demo into the instance folder unless a previous run did."""
    stamp = Path(env["KBM_INSTANCE_PATH"]) / f".monitoring-bench-{locations}-{offers}"
    if stamp.exists():
        return
    print(f"Building the demo ({locations} Lernorte, {offers} Angebote) once …", flush=True)
    kbm(["init-db"], env)
    kbm(["demo", "--locations", str(locations), "--offers", str(offers), "--reach"], env)
    stamp.write_text("built\n")


def timed(label: str, work, rounds: int) -> None:
    """Run work rounds times and print median and maximum seconds."""
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    print(f"{label:58} median {statistics.median(times):7.3f} s   max {max(times):7.3f} s")


def main() -> None:
    """Build the demo once and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", default="/tmp/kbm-map-monitoring-bench")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--locations", type=int, default=10_000)
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    env = {**os.environ, "KBM_ENV": "development", "KBM_INSTANCE_PATH": options.instance}
    if options.database_url:
        env["KBM_DATABASE_URL"] = options.database_url
    os.environ.update(env)
    ensure_demo(env, options.locations, options.offers)
    print(f"load average at start: {os.getloadavg()[0]:.1f}")

    sys.path.insert(0, str(ROOT))
    from kbm_map import create_app
    from kbm_map.finding import parse_params
    from kbm_map.monitoring.committee import gather, write_report
    from kbm_map.monitoring.gaps import evaluate
    from kbm_map.monitoring.indicators import coverage
    from kbm_map.monitoring.page import figures_page
    from kbm_map.monitoring.reach_lookup import latest_shares

    app = create_app()
    past = dt.date.today() - dt.timedelta(days=365)
    with app.test_request_context("/admin/monitoring"):
        for selection in SELECTIONS:
            params = parse_params(MultiDict([p.split("=") for p in selection.split("&") if p]))
            name = selection or "(everything)"
            timed(f"coverage {name}, today", lambda p=params: coverage(p), options.rounds)
            timed(
                f"coverage {name}, a year ago",
                lambda p=params: coverage(p, past),
                options.rounds,
            )
        timed("all gap rules (the dashboard)", lambda: evaluate(reach=latest_shares), 3)
        args = MultiDict([("kind", "kita"), ("compare", past.isoformat())])
        timed(
            "staff monitoring page data, kind=kita with comparison",
            lambda: figures_page(args, "de"),
            3,
        )
        with tempfile.TemporaryDirectory() as folder:
            for fmt in ("pdf", "xlsx"):
                out = Path(folder) / f"report.{fmt}"
                params = parse_params(MultiDict([("kind", "grundschule")]))
                timed(
                    f"report {fmt}, kind=grundschule with comparison",
                    lambda o=out, f=fmt, p=params: write_report(gather(p, None, past), f, o),
                    2,
                )


if __name__ == "__main__":
    main()
