"""The values a browser sends for a form of a page, for tests that post a page unchanged."""

from __future__ import annotations

import re
from html.parser import HTMLParser

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class Forms(HTMLParser):
    """The forms of a page: method, action and the values a browser would send untouched (an
    <input type="color"> without a valid value sends #000000, as the HTML standard says)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"method": (a.get("method") or "get").lower(), "action": a.get("action"), "data": {}})
        elif self.forms and tag in ("input", "textarea", "select") and a.get("name"):
            data = self.forms[-1]["data"]
            kind = a.get("type")
            if tag == "select":
                self._select = a["name"]
                data.setdefault(a["name"], "")
            elif tag == "textarea":
                self._textarea = a["name"]
                data[a["name"]] = ""
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    data[a["name"]] = a.get("value", "on")
            elif kind == "color":
                value = a.get("value") or ""
                data[a["name"]] = value.lower() if COLOUR.match(value) else "#000000"
            elif kind not in ("submit", "button", "file"):
                data[a["name"]] = a.get("value", "")
        elif tag == "option" and self._select and "selected" in a:
            self.forms[-1]["data"][self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            value = self.forms[-1]["data"][self._textarea] + data
            self.forms[-1]["data"][self._textarea] = value.removeprefix("\n")


def post_forms(html: str) -> list[dict]:
    """The page's POST forms' data (the layout's sign-out form has only the CSRF token)."""
    return [f["data"] for f in Forms(html).forms if f["method"] == "post" and set(f["data"]) - {"csrfmiddlewaretoken"}]
