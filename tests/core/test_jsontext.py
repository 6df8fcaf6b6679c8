"""JSON from users is measured for depth before Python's recursive decoder sees it."""

import pytest

from isek.core import jsontext


@pytest.mark.parametrize(("text", "depth"), [
    ("{}", 1),
    ('{"a": [[1, 2], [3]]}', 3),
    ('{"name": "[[[[ in a string ]]]] and \\"[[\\" escaped"}', 1),
    ('"just a string with {"', 0),
    ("42", 0),
    ('[{"ä": "ö"}, ["ü"]]', 2),
])
def test_depth_counts_brackets_outside_strings(text, depth):
    assert jsontext.depth(text) == depth


def test_text_deeper_than_the_limit_is_refused_before_it_is_parsed():
    with pytest.raises(jsontext.TooDeep):
        jsontext.loads("[" * 100_000 + "]" * 100_000)
    assert jsontext.loads("[" * 200 + "]" * 200, max_depth=200) is not None
    with pytest.raises(jsontext.TooDeep):
        jsontext.loads("[" * 201 + "]" * 201, max_depth=200)


def test_real_geojson_passes_and_bytes_with_a_bom_are_read():
    doc = jsontext.loads('\ufeff{"type": "FeatureCollection", "features": []}'.encode())
    assert doc == {"type": "FeatureCollection", "features": []}
    with pytest.raises(ValueError):
        jsontext.loads("{kaputt")
