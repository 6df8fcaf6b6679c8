"""Password rules: Django's, with a message that reads well in German (Django's own says "zu ähnlich
zu E-Mail-Adresse", without the article that the field's name would need)."""

from __future__ import annotations

from django.contrib.auth.password_validation import UserAttributeSimilarityValidator
from django.utils.translation import gettext as _


class SimilarityValidator(UserAttributeSimilarityValidator):
    def get_error_message(self):
        return _("Das Passwort ähnelt zu sehr dem Eintrag „%(verbose_name)s“.")
