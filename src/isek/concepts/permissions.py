"""Who may do what with a concept. Enforced on every view and API call through these helpers.

* administrators (superusers) edit everything;
* a planner edits only the concepts granted to them (ConceptRole.PLANNER);
* a reviewer reads the concepts granted to them, including non-public ones;
* everyone reads public concepts.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Concept, ConceptRole


def role_of(user, concept: Concept) -> str | None:
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return ConceptRole.Role.PLANNER
    role = ConceptRole.objects.filter(concept=concept, user=user).values_list("role", flat=True).first()
    return role


def can_read(user, concept: Concept) -> bool:
    return concept.is_public or role_of(user, concept) is not None


def can_edit(user, concept: Concept) -> bool:
    return role_of(user, concept) == ConceptRole.Role.PLANNER


def readable_concept(request, slug: str) -> Concept:
    """The concept if the user may read it; 404 otherwise (do not reveal that it exists)."""
    concept = get_object_or_404(Concept.objects.select_related("city"), slug=slug)
    if not can_read(request.user, concept):
        raise Http404
    return concept


def editable_concept(request, slug: str) -> Concept:
    """The concept if the user may edit it; 404 if they may not even read it, 403 otherwise."""
    concept = readable_concept(request, slug)
    if not can_edit(request.user, concept):
        raise PermissionDenied
    return concept


def member_concept(request, slug: str) -> Concept:
    """The concept if the user works on it (planner, reviewer or administrator): the KuF, the
    analysis and the change history are for them, not for the public. 404/403 otherwise."""
    concept = readable_concept(request, slug)
    if role_of(request.user, concept) is None:
        raise PermissionDenied
    return concept


def visible_concepts(user):
    qs = Concept.objects.select_related("city")
    if user.is_authenticated and user.is_superuser:
        return qs
    if user.is_authenticated:
        from django.db.models import Q

        return qs.filter(Q(is_public=True) | Q(roles__user=user)).distinct()
    return qs.filter(is_public=True)
