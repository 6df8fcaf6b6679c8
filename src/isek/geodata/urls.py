"""Reference layers and the base map of a concept's city, below /concepts/<slug>/ (namespace "geodata")."""

from django.urls import path

from . import views

app_name = "geodata"

urlpatterns = [
    path("context/<slug:name>.geojson", views.layer_geojson, name="layer-geojson"),
    path("layers/", views.layers_page, name="layers"),
    path("layers/<int:pk>/delete/", views.layer_delete, name="layer-delete"),
    path("basemap/", views.basemap_page, name="basemap"),
    path("basemap/uploads/", views.basemap_uploads, name="basemap-uploads"),
    path("basemap/uploads/<uuid:upload>", views.basemap_upload, name="basemap-upload"),
    path("basemap/status/", views.basemap_status, name="basemap-status"),
    path("basemap/cancel/", views.basemap_job, {"action": "cancel"}, name="basemap-cancel"),
    path("basemap/retry/", views.basemap_job, {"action": "retry"}, name="basemap-retry"),
    path("basemap/style.json", views.basemap_style, name="basemap-style"),
    path("basemap/<int:z>/<int:x>/<int:y>.pbf", views.basemap_tile, name="basemap-tile"),
]
