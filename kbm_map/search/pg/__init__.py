"""The PostgreSQL search backend's parts: tables, analysis, writes, reads (see postgres.py)."""
