"""OGC API – Features below /ogc/ (paths without a trailing slash, as the standard writes them)."""

from django.urls import path

from . import ogc

urlpatterns = [
    path("", ogc.landing, name="ogc-landing"),
    path("api", ogc.openapi, name="ogc-openapi"),
    path("conformance", ogc.conformance, name="ogc-conformance"),
    path("collections", ogc.collections, name="ogc-collections"),
    path("collections/<str:cid>", ogc.collection, name="ogc-collection"),
    path("collections/<str:cid>/schema", ogc.schema, name="ogc-schema"),
    path("collections/<str:cid>/queryables", ogc.queryables, name="ogc-queryables"),
    path("collections/<str:cid>/items", ogc.items, name="ogc-items"),
    path("collections/<str:cid>/items/<int:fid>", ogc.item, name="ogc-item"),
]
