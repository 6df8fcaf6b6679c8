"""Reference layers of a concept's city (GeoJSON for its maps, list, upload) and its base map (tiles, style, upload of the OSM extract)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect

from isek import access
from isek.core.jobviews import job_action
from isek.web import public, tus

from . import services
from .forms import ExtractUploadForm, LayerUploadForm
from .models import ReferenceLayer


@access.concept_view("reference_layer", "view", login=False)
def layer_geojson(request, concept, name):
    layer = concept.city.reference_layers.filter(name=name).first()
    if layer is None:
        return HttpResponse(_("Die Stadt hat keine Ebene „%(n)s“.") % {"n": name}, status=404,
                            content_type="text/plain; charset=utf-8")

    def build():
        data = services.concept_layer_geojson(request.user, concept, layer)
        if data is None:
            return HttpResponse(
                _("Die Kontextebene %(n)s ist nicht vorhanden: bitte „isek data fetch“ ausführen.") % {"n": name},
                status=404, content_type="text/plain; charset=utf-8",
            )
        return HttpResponse(data, content_type="application/geo+json")

    return public.respond(request, concept, build, extra=f"{layer.pk}:{layer.sha256}:{layer.path}")


@access.concept_view("reference_layer", "view", post=("reference_layer", "upload"), login=False)
def layers_page(request, concept):
    editable = access.allows(request.user, "reference_layer", "upload", concept)
    form = LayerUploadForm(request.POST or None, request.FILES or None, concept=concept) if editable else None
    errors = []
    if request.method == "POST":
        if form.is_valid():
            fields = {k: form.cleaned_data[k] for k in form.Meta.fields}
            try:
                layer = services.upload_layer(request.user, concept, form.cleaned_data["file"],
                                              crs=form.cleaned_data["crs"] or None, **fields)
            except services.LayerUploadError as exc:
                errors = exc.errors
            else:
                messages.success(request, _("Die Ebene „%(n)s“ wurde gespeichert (%(c)d Objekte).")
                                 % {"n": layer.label, "c": layer.feature_count})
                return redirect("geodata:layers", concept.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "geodata/layers.html", {
        "concept": concept, "layers": services.layers_of(concept.city), "form": form, "errors": errors,
        "can_edit": editable}, status=status)


@access.concept_view("reference_layer", "delete", methods="POST", ids={"pk": "layer"})
def layer_delete(request, concept, pk):
    layer = get_object_or_404(ReferenceLayer, city=concept.city, pk=pk)
    label = layer.label
    services.delete_layer(request.user, concept, layer)
    messages.success(request, _("Die Ebene „%(n)s“ wurde gelöscht.") % {"n": label})
    return redirect("geodata:layers", concept.slug)


# --- base map ----------------------------------------------------------------------------------


@access.concept_view("basemap", "view", login=False)
def basemap_tile(request, concept, z, x, y):
    data = services.tile(request.user, concept, z, x, y)
    if data is None:
        response = HttpResponse(status=204)
    else:
        response = HttpResponse(data, content_type="application/vnd.mapbox-vector-tile")
        response["Content-Encoding"] = "gzip"
    response["Cache-Control"] = ("public" if concept.is_public else "private") + ", max-age=86400"
    return response


@access.concept_view("basemap", "view", login=False)
def basemap_style(request, concept):
    base = request.build_absolute_uri(reverse("geodata:basemap-style", args=[concept.slug])).rsplit("/", 1)[0]
    style = services.basemap_style(concept, base + "/{z}/{x}/{y}.pbf",
                                   request.build_absolute_uri(static("vendor/kern/fonts/noto-sans/NotoSans-Regular.woff2")))
    if style is None:
        return JsonResponse({"error": _("Für diese Stadt gibt es noch keine Grundkarte.")}, status=404)
    response = JsonResponse(style)
    response["Cache-Control"] = "private, max-age=60"
    return response


@access.concept_view("basemap", "view", post=("basemap", "build"), login=False)
def basemap_page(request, concept):
    editable = access.allows(request.user, "basemap", "build", concept)
    form = None
    if editable:  # an empty POST (no file chosen) is a bound form too, so that it says what is missing
        form = ExtractUploadForm(request.POST, request.FILES) if request.method == "POST" else ExtractUploadForm()
    errors = []
    if request.method == "POST":
        if form.is_valid():
            try:
                source = form.cleaned_data["file"] or services.resumable_extract(request.user, concept, form.cleaned_data["upload"])
                services.upload_extract(request.user, concept, source)
            except services.BaseMapError as exc:
                errors = exc.messages(_, get_language())
            else:
                messages.success(request, _("Der Extrakt wurde hochgeladen; Grundkarte und Bestandsanalyse werden erstellt."))
                return redirect("geodata:basemap", concept.slug)
    bm = services.basemap_job(concept)
    return render(request, "geodata/basemap.html", {
        "upload_url": reverse("geodata:basemap-uploads", args=[concept.slug]), "chunk_bytes": settings.ISEK_UPLOAD_CHUNK_BYTES,
        "concept": concept, "basemap": bm, "form": form,
        "covered_percent": services.covered_percent(concept, bm.extract) if bm and bm.status == "done" else None, "errors": errors, "can_edit": editable,
        "can_analyse": access.allows(request.user, "analysis", "run", concept),
        "max_bytes": settings.ISEK_EXTRACT_MAX_BYTES,
    }, status=400 if request.method == "POST" else 200)


@access.concept_view("basemap", "view", login=False)
def basemap_status(request, concept):
    bm = services.basemap_job(concept)
    if bm is None:
        return JsonResponse({"status": "none"})
    return JsonResponse({"status": bm.status, "progress": bm.progress, "message": bm.shown_message, "tiles": bm.tiles,
                         "cancel_requested": bm.cancel_requested})


@access.concept_view("basemap", "build", methods="POST")
def basemap_job(request, concept, action):
    return job_action(request, action, lambda: services.cancel_basemap(request.user, concept),
                      lambda: services.retry_basemap(request.user, concept), reverse("geodata:basemap", args=[concept.slug]))


@csrf_protect
@access.concept_view("basemap", "build", methods=("OPTIONS", "POST"), login=False)
def basemap_uploads(request, concept):
    """Start a resumable upload of an extract (tus; see web.tus)."""
    return tus.collection(request, services.extract_upload_scope(concept), settings.ISEK_EXTRACT_MAX_BYTES,
                          lambda pk: reverse("geodata:basemap-upload", args=[concept.slug, pk]))


@csrf_protect
@access.concept_view("basemap", "build", methods=("OPTIONS", "HEAD", "PATCH", "DELETE"), login=False, ids={"upload": "upload"})
def basemap_upload(request, concept, upload):
    """One resumable upload of an extract: where it stands, its next piece, or giving it up."""
    return tus.resource(request, services.extract_upload_scope(concept), upload, settings.ISEK_EXTRACT_MAX_BYTES)
