"""The PostgreSQL search backend's parts (the backend itself: kbm_map/search/postgres.py).

schema.py    the tables, and why they are blocks of postings and bitmaps
analysed.py  a document analysed as the Whoosh schema analyses it
writing.py   appending documents, clearing removed ones
cache.py     what a process keeps between queries (nothing that can go stale)
columns.py   the Whoosh engine's Columns interface over the tables, for one query
counting.py  totals and facet counts as bit counts in SQL
reading.py   a query, step by step
blocks.py    conversions between numpy and the stored bitmaps, positions and lengths
"""
