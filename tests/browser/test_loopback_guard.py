"""The guard every browser test runs under: a page that asks another host gets nothing from it,
and the test fails naming the address (tests/browser/conftest.py: Pages, CHROMIUM_ARGS)."""

import pytest

from tests.browser.conftest import Pages


def test_a_request_to_another_host_reaches_nothing_and_fails_the_test(browser):
    pages = Pages(browser)
    page = pages.new()
    page.set_content('<img id="tile" src="http://tile.openstreetmap.org/0/0/0.png" alt="">')
    page.wait_for_function("() => document.getElementById('tile').complete")
    assert page.evaluate("() => document.getElementById('tile').naturalWidth") == 0  # not loaded
    with pytest.raises(AssertionError, match="tile.openstreetmap.org"):
        pages.close()


def test_a_page_on_loopback_alone_passes(browser):
    pages = Pages(browser)
    page = pages.new()
    page.set_content('<p>nur lokal</p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="">')
    pages.close()
