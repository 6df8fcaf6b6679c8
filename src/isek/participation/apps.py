from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "isek.participation"
    label = "participation"
    verbose_name = _("Beteiligung")

    def ready(self):
        # Only the planners' set-up is in the change history: contributions carry citizens'
        # personal data, which must go when deleted; their moderation has its own log (Decision).
        from isek.core.audit import track

        from .models import DuplicateReview, GroupDecision, Phase, Theme, ThemeReview

        # the evaluation's decisions: a theme confirmed, groups changed, duplicates: who, when (no personal data)
        track(Phase, Theme, ThemeReview, GroupDecision, DuplicateReview)
        # the street names of a concept's area are no reasons of a theme suggestion (fix24h, decision 0107)
        from isek.geodata import services as geodata

        from .services import evaluation

        evaluation.street_names = geodata.street_names
