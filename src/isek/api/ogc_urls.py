"""OGC API – Features below /ogc/ (paths without a trailing slash, as the standard writes them)."""

from django.urls import path

from . import ogc

s = ogc.shared
urlpatterns = [
    path("", s(ogc.landing), name="ogc-landing"),
    path("api", s(ogc.openapi), name="ogc-openapi"),
    path("conformance", s(ogc.conformance), name="ogc-conformance"),
    path("collections", s(ogc.collections), name="ogc-collections"),
    path("collections/<str:cid>", s(ogc.collection), name="ogc-collection"),
    path("collections/<str:cid>/schema", s(ogc.schema), name="ogc-schema"),
    path("collections/<str:cid>/queryables", s(ogc.queryables), name="ogc-queryables"),
    path("collections/<str:cid>/items", s(ogc.items), name="ogc-items"),
    path("collections/<str:cid>/items/<int:fid>", s(ogc.item), name="ogc-item"),
]
