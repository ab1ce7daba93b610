"""Geography: portable spatial queries, regions, geocoding, reprojection."""
