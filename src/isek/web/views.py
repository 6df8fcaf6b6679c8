from django.shortcuts import render

from isek.concepts.permissions import visible_concepts
from isek.demo import context as context_layers


def home(request):
    concepts = visible_concepts(request.user)
    return render(request, "web/home.html", {
        "public_concepts": [c for c in concepts if c.is_public],
        "own_concepts": [c for c in concepts if not c.is_public],
    })


def data_sources(request):
    return render(request, "web/data_sources.html", {"layers": context_layers.status()})
