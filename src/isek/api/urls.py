"""The API: /api/v1/ (a versioned package: a v2 would sit beside it), the OpenAPI 3.0 document at
/api/schema/, its documentation at /api/docs/ (isek's own page, rendered from that document;
Swagger UI from vendored files to try it out at /api/docs/swagger/, decision 0102), and the page
where people make and revoke their API keys."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from isek.access.routes import OPEN, declare, public

from . import views

document = declare(public(OPEN))

urlpatterns = [
    path("v1/concepts/<slug:slug>/export.gml", views.funding_area_gml, name="open-data-xplan"),
    path("v1/concepts/<slug:slug>/export.<str:fmt>", views.open_data, name="open-data"),
    path("v1/", include("isek.api.v1.urls")),
    path("schema/", document(SpectacularAPIView.as_view()), name="api-schema"),
    path("docs/", views.docs_page, name="api-docs"),
    # The split view serves Swagger UI's start script as a file: no inline script (CSP).
    # Its template adds the footer's legal pages (decision 0074).
    path("docs/swagger/", document(SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html")),
         name="api-docs-swagger"),
    path("tokens/", views.tokens_page, name="api-tokens"),
]
