"""What the geodata app tells other apps, without knowing them."""

from django.dispatch import Signal

# Sent when a city's OSM extract has been cut to a concept's area (for its base map), with
# ``concept``, ``path`` (the cut .osm.pbf) and ``user`` (who uploaded it, or None), if the upload
# asked for an analysis; the analysis app starts a run on it.
extract_cut = Signal()
