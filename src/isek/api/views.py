"""The page of a person's API keys: make one (shown once), see when each was last used, revoke."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from isek import access
from isek.accounts import services as accounts

from . import reference, tokens


@access.account_view(methods=("GET", "POST"))
def tokens_page(request):
    if not accounts.may_hold_api_keys(request.user):  # a citizen's own account (decision 0084)
        raise PermissionDenied(access.STAFF_ONLY)  # the page says what a citizen's account has instead
    new_key, error = None, None
    if request.method == "POST":
        if "revoke" in request.POST:
            pk = request.POST.get("revoke", "")
            if pk.isdigit() and tokens.revoke(request.user, int(pk)):
                messages.success(request, _("Der Schlüssel ist widerrufen."))
            return redirect("api-tokens")
        try:
            _token, new_key = tokens.create(request.user, request.POST.get("name", ""))
        except ValidationError as exc:
            error = exc.messages
    return render(request, "api/tokens.html", {"tokens": tokens.of(request.user), "new_key": new_key, "error": error},
                  status=400 if error else 200)


@functools.cache
def openapi_document() -> dict:
    """The OpenAPI document as /api/schema/ serves it, generated once per process (it follows the
    code, not the data)."""
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


@access.open_view()
def docs_page(request):
    """isek's own documentation of its API (walk 22: Swagger UI failed axe and had no footer): the
    OpenAPI document read into headings and tables on a page of the site's layout – how to get a
    key, where the OGC API and the schema are, then every operation by tag and every data format.
    Swagger UI stays as an extra to try the API out (/api/docs/swagger/, decision 0102)."""
    schema = openapi_document()
    tags = {"concepts": _("Konzepte und ihre Inhalte"), "cities": _("Städte")}
    success = {"200": _("erfolgreich"), "201": _("angelegt"), "204": _("erledigt, ohne Inhalt")}
    places = {"path": _("Pfad"), "query": _("Abfrage"), "header": _("Kopfzeile"), "cookie": _("Cookie")}
    groups = reference.by_tag(schema)
    for group in groups:
        group["title"] = tags.get(group["name"], group["name"])
        for operation in group["operations"]:
            for parameter in operation["parameters"]:
                parameter["place"] = places.get(parameter["location"], parameter["location"])
            for answer in operation["responses"]:
                answer["generic"] = not answer["description"]  # isek's words, in the page's language
                answer["description"] = answer["description"] or success.get(answer["status"], "")
    return render(request, "api/docs.html", {"info": schema.get("info", {}), "groups": groups,
                                             "formats": reference.data_formats(schema)})


@access.concept_view("concept", "export", login=False)
def open_data(request, concept, fmt):
    """The concept as open data for whoever may export it: the GeoPackage (layers and tables), the
    CSV zip or the measure list as XLSX; working material only for those who may see it."""
    from django.http import Http404

    from isek.core.downloads import temporary_download

    from . import package

    formats = {
        "gpkg": (lambda p: package.export_gpkg(concept, p, request.user), "application/geopackage+sqlite3"),
        "zip": (lambda p: package.export_csv_zip(concept, p, request.user), "application/zip"),
        "xlsx": (lambda p: package.export_measures_xlsx(concept, p),
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    }
    if fmt not in formats:
        raise Http404
    write, content_type = formats[fmt]
    return temporary_download(write, f"{concept.slug}.{fmt}", content_type)


def _public_or_submitted(concept) -> bool:
    """What opens a concept's funding area to its district's funding authority: the public sees it, or
    the city submitted an application to them (decision 0094)."""
    from isek.procedure import services as procedure

    return concept.is_public or procedure.has_submitted(concept)


@access.concept_view("funding_area", "export", login=False, submitted=_public_or_submitted)
def funding_area_gml(request, concept):
    """The funding area as XPlanGML 6.0 (``export.gml``), for whoever may see the public plan, and
    for the district's funding authority once the city submitted an application; refused as JSON
    (409) where the concept has no funding area."""
    from django.http import HttpResponse, JsonResponse

    from isek.concepts import services as concepts

    try:
        document = concepts.export_xplan(request.user, concept, submitted=_public_or_submitted)
    except ValidationError as exc:
        return JsonResponse({"detail": " ".join(exc.messages)}, status=409, json_dumps_params={"ensure_ascii": False})
    response = HttpResponse(document, content_type="application/gml+xml; version=3.2")
    response["Content-Disposition"] = f'attachment; filename="{concept.slug}-xplan.gml"'
    return response
