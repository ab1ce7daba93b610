"""Bildungsmonitoring: population, coverage, reachability and gaps per Gemeinde, and reports."""
