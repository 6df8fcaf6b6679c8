"""The API's JSON parser: DRF's, with one more way a body can be unreadable."""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:  # "[[[[…" thousands deep: Python's decoder gives up (a 500 otherwise)
            raise ParseError(_("Das JSON ist zu tief verschachtelt.")) from None
