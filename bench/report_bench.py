"""Time the committee report of the 23 Gemeinden of Landkreis Fulda in every format.

Usage:
  .venv/bin/python bench/report_bench.py [--rounds N] [--shared-data DIR]

Builds a coverage with a comparison date and estimated age groups from plain values on the
real BKG outlines (as the tests do), then renders PDF (with maps and bar charts for the six
indicators), HTML, XLSX and CSV N times each and prints the median and the largest time.
No database is read: this is the cost of rendering alone.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kbm_map import create_app  # noqa: E402
from kbm_map.monitoring.report import FORMATS, Attribution, render_report  # noqa: E402
from tests.monitoring.fulda_report import BKG, compared, fulda_shapes  # noqa: E402


def main() -> None:
    """Render each format several times and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--shared-data", type=Path, default=ROOT.parent / "shared" / "data")
    options = parser.parse_args()
    shapes = fulda_shapes(options.shared_data)
    coverage = compared(shapes)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "KBM_ENV": "development"})
    with app.app_context(), tempfile.TemporaryDirectory() as folder:
        for fmt in FORMATS:
            times = []
            for _ in range(options.rounds):
                path = Path(folder) / f"bericht.{fmt}"
                start = time.perf_counter()
                render_report(
                    coverage,
                    fmt,
                    path,
                    region_name="Landkreis Fulda",
                    shapes=shapes,
                    attribution=Attribution(outlines=BKG),
                )
                times.append(time.perf_counter() - start)
            size = path.stat().st_size / 1024
            print(
                f"{fmt:5} {len(shapes)} Gemeinden: median {statistics.median(times):.2f} s, "
                f"max {max(times):.2f} s, {size:.0f} KiB"
            )


if __name__ == "__main__":
    main()
