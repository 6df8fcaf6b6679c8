"""The API's JSON parser: DRF's, reading the body through core.jsontext (nesting limited)."""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils.json import strict_constant

from isek.core import jsontext


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return jsontext.loads(stream.read().decode(encoding), parse_constant=strict_constant if self.strict else None)
        except jsontext.TooDeep:  # "[[[[…" thousands deep: refused before Python's decoder recurses
            raise ParseError(_("Das JSON ist zu tief verschachtelt.")) from None
        except ValueError as exc:
            raise ParseError(_("Das JSON ist nicht lesbar: %s") % exc) from None

