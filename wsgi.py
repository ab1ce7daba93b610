"""WSGI entry point for production servers: `gunicorn wsgi:app`."""

import sys

from kbm_map import create_app
from kbm_map.errors import KbmMapError
from kbm_map.services.indexing import catch_up_at_start

try:
    app = create_app()
except KbmMapError as exc:  # a configuration mistake: say so in one line, do not start
    print(f"kbm-map: {exc}", file=sys.stderr)
    sys.exit(1)

# Index work that an interrupted write left in the database is done before serving.
catch_up_at_start(app)
