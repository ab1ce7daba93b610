"""Gunicorn settings for kbm-map: `gunicorn -c python:kbm_map.gunicorn_conf wsgi:app`."""

import multiprocessing
import os

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
