"""Time `kbm-map init-db` + `kbm-map demo` at benchmark size on a fresh database.

Usage: .venv/bin/python bench/demo_bench.py [--locations N] [--offers N] [--database-url URL]
Without --database-url a new SpatiaLite file in a temporary folder is used.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time


def run(args: list[str], env: dict) -> float:
    """Run a kbm-map command and return its wall-clock seconds."""
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kbm_map", *args], env=env, check=True)
    return time.perf_counter() - began


def main() -> None:
    """Parse arguments, run the commands and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locations", type=int, default=10_000)
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    options = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="kbm-bench-")
    env = {**os.environ, "KBM_ENV": "development", "KBM_INSTANCE_PATH": folder}
    if options.database_url:
        env["KBM_DATABASE_URL"] = options.database_url
    init = run(["init-db"], env)
    demo = run(
        ["demo", "--locations", str(options.locations), "--offers", str(options.offers)], env
    )
    size = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
    print(
        f"init-db {init:.1f} s; demo {options.locations} Lernorte / {options.offers} Angebote "
        f"{demo:.1f} s; instance folder {size / 1e6:.0f} MB ({folder})"
    )


if __name__ == "__main__":
    main()
