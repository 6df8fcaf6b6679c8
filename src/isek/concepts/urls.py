"""URLs of the concepts app, below /concepts/<slug>/ (namespace "concepts")."""

from django.urls import path, re_path

from . import views

app_name = "concepts"

urlpatterns = [
    path("", views.concept_page, name="concept"),
    path("edit/", views.concept_edit, name="concept-edit"),
    path("structure/", views.structure_edit, name="concept-structure"),
    path("measures/new/", views.measure_edit, name="measure-new"),
    path("measures/<int:pk>/", views.measure_page, name="measure"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure-edit"),
    path("measures/<int:pk>/delete/", views.measure_delete, name="measure-delete"),
    path("quarters/new/", views.quarter_edit, name="quarter-new"),
    path("quarters/<int:pk>/edit/", views.quarter_edit, name="quarter-edit"),
    path("import/", views.import_view, name="concept-import"),
    re_path(r"^export\.(?P<fmt>gpkg|geojson)$", views.export_view, name="concept-export"),
    path("changes/", views.changes_view, name="concept-changes"),
    path("setup/", views.setup_page, name="concept-setup"),
    path("members/", views.members_page, name="concept-members"),
    re_path(r"^(?P<layer>area|quarters|measures)\.geojson$", views.concept_geojson, name="concept-geojson"),
]
