"""Reference layers of a concept's city, below /concepts/<slug>/ (namespace "geodata")."""

from django.urls import path

from . import views

app_name = "geodata"

urlpatterns = [
    path("context/<slug:name>.geojson", views.layer_geojson, name="layer-geojson"),
    path("layers/", views.layers_page, name="layers"),
    path("layers/<int:pk>/delete/", views.layer_delete, name="layer-delete"),
]
