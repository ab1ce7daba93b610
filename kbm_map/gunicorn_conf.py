"""Gunicorn settings for kbm-map: `gunicorn -c python:kbm_map.gunicorn_conf wsgi:app`."""

import multiprocessing
import os
import sys

bind = os.environ.get("KBM_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("KBM_WORKERS", multiprocessing.cpu_count() * 2))
# Each worker opens its own search index after the fork (Whoosh file handles must not be shared).
preload_app = False
forwarded_allow_ips = os.environ.get("KBM_FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """Load the search index's arrays before the first visitor arrives (about 1–2 s)."""
    from kbm_map.finding import search_backend

    with worker.wsgi.app_context():
        search_backend().count()


def on_starting(server):
    """Check the configuration once in the master and exit with its one-line message.

    Without this a configuration mistake (no or a short KBM_SECRET_KEY, a bad URL …) makes
    every worker fail on boot and gunicorn respawn them forever.
    """
    from kbm_map import PROJECT_ROOT
    from kbm_map.config import load_config
    from kbm_map.errors import KbmMapError

    instance_path = os.environ.get("KBM_INSTANCE_PATH") or str(PROJECT_ROOT / "instance")
    try:
        load_config(os.path.abspath(instance_path))
    except KbmMapError as exc:
        print(f"kbm-map: {exc}", file=sys.stderr, flush=True)
        sys.exit(1)
