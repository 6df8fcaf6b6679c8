"""The concepts app's application layer: writes that views, commands and the coming API share.

Each function takes the acting user, asks the access policy, works in a transaction and records
the change (core.audit). Rule violations come back as ``ValidationError`` keyed by field.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from isek import access
from isek.core.audit import acting_as

from .models import Concept, Measure, Quarter


def save_quarter(user, concept: Concept, quarter: Quarter) -> Quarter:
    """Create or update a quarter; its name must be unique within the concept."""
    access.require(user, "quarter", "edit", concept)
    if Quarter.objects.filter(concept=concept, name=quarter.name).exclude(pk=quarter.pk).exists():
        raise ValidationError({"name": _("Ein Teilraum mit diesem Namen existiert schon.")})
    quarter.concept = concept
    with transaction.atomic(), acting_as(user, "web"):
        quarter.save()
    return quarter


def delete_measure(user, concept: Concept, measure: Measure) -> str:
    """Delete a measure of ``concept``; returns its number."""
    access.require(user, "measure", "delete", concept)
    if measure.concept_id != concept.pk:
        raise Measure.DoesNotExist
    number = measure.number
    with transaction.atomic(), acting_as(user, "web"):
        measure.delete()
    return number
