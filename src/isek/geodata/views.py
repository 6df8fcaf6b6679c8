"""Reference layers of a concept's city: the GeoJSON for its maps, the list and the upload."""

from __future__ import annotations

import os
import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from isek import access

from . import services
from .forms import LayerUploadForm
from .models import ReferenceLayer


def layer_geojson(request, slug, name):
    concept = access.concept_for(request.user, slug, "reference_layer", "view")
    layer = concept.city.reference_layers.filter(name=name).first()
    if layer is None:
        return HttpResponse(_("Die Stadt hat keine Ebene „%(n)s“.") % {"n": name}, status=404,
                            content_type="text/plain; charset=utf-8")
    data = services.concept_layer_geojson(request.user, concept, layer)
    if data is None:
        return HttpResponse(
            _("Die Kontextebene %(n)s ist nicht vorhanden: bitte „isek data fetch“ ausführen.") % {"n": name},
            status=404, content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(data, content_type="application/geo+json")
    response["Cache-Control"] = "public, max-age=3600" if concept.is_public else "private, max-age=3600"
    return response


@require_http_methods(["GET", "POST"])
def layers_page(request, slug):
    concept = access.concept_for(request.user, slug, "reference_layer", "view")
    editable = access.allows(request.user, "reference_layer", "upload", concept)
    form = LayerUploadForm(request.POST or None, request.FILES or None) if editable else None
    errors = []
    if request.method == "POST":
        access.require(request.user, "reference_layer", "upload", concept)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            suffix = os.path.splitext(upload.name)[1].lower()[:10]
            with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
                for chunk in upload.chunks():
                    tmp.write(chunk)
                tmp.flush()
                fields = {k: form.cleaned_data[k] for k in form.Meta.fields}
                try:
                    layer = services.upload_layer(request.user, concept, tmp.name, filename=upload.name,
                                                  crs=form.cleaned_data["crs"] or None, **fields)
                except services.LayerUploadError as exc:
                    errors = exc.errors
                else:
                    messages.success(request, _("Die Ebene „%(n)s“ wurde gespeichert (%(c)d Objekte).")
                                     % {"n": layer.label, "c": layer.feature_count})
                    return redirect("geodata:layers", slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "geodata/layers.html", {
        "concept": concept, "layers": services.layers_of(concept.city), "form": form, "errors": errors,
        "can_edit": editable}, status=status)


@login_required
@require_http_methods(["POST"])
def layer_delete(request, slug, pk):
    concept = access.concept_for(request.user, slug, "reference_layer", "delete")
    layer = get_object_or_404(ReferenceLayer, city=concept.city, pk=pk)
    label = layer.label
    services.delete_layer(request.user, concept, layer)
    messages.success(request, _("Die Ebene „%(n)s“ wurde gelöscht.") % {"n": label})
    return redirect("geodata:layers", slug)
