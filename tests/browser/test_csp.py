"""The content security policy in Chromium: an injected inline script does not run, and the
browser fixture records the violation (so every other browser test fails on one)."""

import pytest
from django.test import Client

pytestmark = [pytest.mark.browser, pytest.mark.browser_spatialite_only]  # decision 0038, eighth step


def test_an_injected_inline_script_is_blocked(pages, live_bochum):
    base, concept = live_bochum
    page = pages.new()
    page.goto(f"{base}/concepts/{concept.slug}/")
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.pwned = 1';"
                  " document.body.appendChild(s); }")
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.pwned") is None
    assert any("Content Security Policy" in e for e in pages.errors)
    pages.errors.clear()  # expected here; any other page's violation fails its test


def test_every_page_sends_the_policy(live_bochum):
    base, concept = live_bochum
    for url in ("/", f"/concepts/{concept.slug}/", "/api/docs/", f"/concepts/{concept.slug}/participation/"):
        policy = Client().get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0], url
