"""The OpenAPI document's operations: a description only where ``extend_schema`` gives one. The
views' docstrings are written for developers of isek (how a view checks access), not for those who
call the API; drf-spectacular would otherwise put them under every operation (walk 22: the API's
documentation page showed the same English note 27 times)."""

from drf_spectacular.openapi import AutoSchema


class Schema(AutoSchema):
    def get_description(self) -> str:
        return ""
