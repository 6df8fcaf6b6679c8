"""core.conditional, the one conditional-GET rule of the public pages, the API and the OGC API
(RFC 9110 § 13): a list of entity tags compared weakly, ``*``, If-Modified-Since only without
If-None-Match."""

import datetime
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isek.core import conditional

pytestmark = pytest.mark.database_independent

# etagc = %x21 / %x23-7E (obs-text left out: headers reach Django as latin-1 text)
opaque = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters='"'), max_size=20)
tags = opaque.map(lambda s: f'"{s}"')
member = st.tuples(st.booleans(), tags).map(lambda t: ("W/" if t[0] else "") + t[1])
space = st.sampled_from(["", " ", "  ", "\t"])
T = '"abc"'


def _http(seconds: int) -> str:
    return format_datetime(datetime.datetime.fromtimestamp(seconds, datetime.UTC), usegmt=True)


@given(st.lists(st.tuples(space, member, space), max_size=6))
def test_a_list_of_tags_parses_to_its_opaque_tags_in_order(parts):
    header = ",".join(f"{a}{m}{b}" for a, m, b in parts)
    assert conditional.entity_tags(header) == [m.removeprefix("W/") for _a, m, _b in parts]


@given(st.lists(member, max_size=4), member, st.lists(member, max_size=4))
def test_the_weak_comparison_finds_the_tag_anywhere_in_the_list(before, tag, after):
    header = ", ".join([*before, tag, *after])
    assert conditional.none_match(header, tag.removeprefix("W/"))
    assert conditional.none_match(header, "W/" + tag.removeprefix("W/"))
    assert conditional.not_modified({"If-None-Match": header}, tag.removeprefix("W/"))


@given(st.lists(member, max_size=5), tags)
def test_a_tag_not_in_the_list_does_not_match(members, tag):
    if tag in [m.removeprefix("W/") for m in members]:
        return
    assert not conditional.not_modified({"If-None-Match": ", ".join(members)}, tag)


def test_star_matches_any_current_answer_and_commas_inside_a_tag_are_part_of_it():
    assert conditional.not_modified({"If-None-Match": " * "}, T)
    assert conditional.entity_tags('"a,b", W/"c"') == ['"a,b"', '"c"']
    assert not conditional.none_match('"a,b"', '"a"')
    assert conditional.entity_tags('abc, "ok", "broken') == ['"ok"']  # what is no entity tag is left out
    assert not conditional.not_modified({"If-None-Match": "abc"}, T)  # unquoted: no tag, no match
    assert not conditional.not_modified({"If-None-Match": ""}, T)


@given(st.integers(0, 4_000_000_000), st.integers(-100_000, 100_000))
def test_if_modified_since_compares_seconds(modified, delta):
    since = modified + delta
    if since < 0:
        return
    assert conditional.not_modified({"If-Modified-Since": _http(since)}, T, modified) == (modified <= since)


def test_if_modified_since_counts_only_without_if_none_match_and_with_a_known_time():
    later = _http(2_000_000_000)
    assert conditional.not_modified({"If-Modified-Since": later}, T, 1_000_000_000)
    assert not conditional.not_modified({"If-Modified-Since": later, "If-None-Match": '"other"'}, T, 1_000_000_000)
    assert conditional.not_modified({"If-Modified-Since": _http(0), "If-None-Match": T}, T, 1_000_000_000)
    assert not conditional.not_modified({"If-Modified-Since": later}, T)  # no Last-Modified: no comparison
    for bad in ("gestern", "", "Sun, 99 Foo 2026 25:61:00 GMT", "2026-12-06T10:00:00"):
        assert not conditional.not_modified({"If-Modified-Since": bad}, T, 0)


def test_a_tag_names_all_its_parts():
    assert conditional.etag("a", 1) == conditional.etag("a", 1)
    assert conditional.etag("a", 1) != conditional.etag("a", 2)
    assert conditional.entity_tags(conditional.etag("x")) == [conditional.etag("x")]
