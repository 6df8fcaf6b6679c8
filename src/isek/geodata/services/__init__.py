"""Reference layers per city and the city's base map: the application layer that maps, the
analysis, the reports, the demo loader and the API use. Nothing outside this app reads layer files
directly.

One module per topic – layers, maps (map config and report maps), lifecycle (the base map's
builds), tiles, extracts; this package is the app's public face and names here what other code
uses (``from isek.geodata import services``; ``services.map_context(…)``)."""

from ..basemaps import BaseMapError, ExtractRefused  # what the base-map services raise
from ..signals import extract_cut  # other apps listen to it
from .extracts import (
    add_extract,
    check_coverage,
    check_extract,
    covered_percent,
    extracts_for,
    has_extract,
    street_names,
    usable_extract,
)
from .layers import (
    Bbox,
    LayerStatus,
    LayerUploadError,
    _geojson,  # its cache is cleared by the demo's tests
    all_layers,
    analysis_inputs,
    concept_bbox,
    concept_layer_geojson,
    delete_layer,
    file_of,
    layer_bounds,
    layer_features,
    layer_geojson,
    layers_of,
    map_layers,
    register_data_layer,
    store_dir,
    upload_layer,
)
from .lifecycle import (
    base_map_of,
    basemap_file,
    basemap_job,
    cancel_basemap,
    cut_extract_of,
    extract_upload_scope,
    resumable_extract,
    retry_basemap,
    start_basemap,
    upload_extract,
)
from .maps import (
    REPORT_BASE_STYLE,
    attributions,
    base_geometries,
    base_map_extent,
    map_config,
    map_context,
    report_attributions,
)
from .tiles import basemap_style, tile

__all__ = [
    "BaseMapError", "ExtractRefused", "LayerUploadError", "extract_cut",
    # layers
    "Bbox", "LayerStatus", "_geojson", "all_layers", "analysis_inputs", "concept_bbox", "concept_layer_geojson",
    "delete_layer", "file_of", "layer_bounds", "layer_features", "layer_geojson", "layers_of", "map_layers",
    "register_data_layer", "store_dir", "upload_layer",
    # maps
    "REPORT_BASE_STYLE", "attributions", "base_geometries", "base_map_extent", "map_config", "map_context", "report_attributions",
    # the base map's life cycle and its tiles
    "base_map_of", "basemap_file", "basemap_job", "cancel_basemap", "cut_extract_of", "extract_upload_scope",
    "resumable_extract", "retry_basemap", "start_basemap", "upload_extract", "basemap_style", "tile",
    # extracts
    "add_extract", "check_coverage", "check_extract", "covered_percent", "extracts_for", "has_extract", "street_names",
    "usable_extract",
]
