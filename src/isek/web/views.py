from django.shortcuts import render

from isek import access
from isek.access import visible_concepts
from isek.geodata import services as geodata


def home(request):
    concepts = visible_concepts(request.user)
    return render(request, "web/home.html", {
        "public_concepts": [c for c in concepts if c.is_public],
        "own_concepts": [c for c in concepts if not c.is_public],
        "may_start": access.allows_site(request.user, "concept", "create"),
        "may_invite": access.allows_site(request.user, "member", "invite"),
    })


def data_sources(request):
    return render(request, "web/data_sources.html", {"layers": geodata.all_layers()})


def privacy(request):
    """What isek stores about the people who take part, why, for how long, and how to delete it."""
    from django.conf import settings

    return render(request, "web/privacy.html", {"rates": settings.ISEK_PARTICIPATION_RATE})
