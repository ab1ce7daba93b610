"""Chromium tests of the public pages; the fixtures (live_server, browser, page) are shared.

See tests/conftest.py (live_server) and tests/browsing.py (browser, page).
"""
