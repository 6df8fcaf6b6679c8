"""The share of the funding area an extract covers (basemaps.covered_share, decision 0026)."""

import shapely

from isek.geodata import basemaps

AREA = shapely.box(14.405, 51.186, 14.418, 51.193)  # the Bautzen planner's funding area


def test_the_bautzen_cut_covers_42_percent():
    share = basemaps.covered_share((14.4079, 51.1872, 14.416, 51.1919), AREA, 25833)
    assert round(share * 100) == 42
    assert share < basemaps.FULL_COVER


def test_a_box_around_the_area_covers_all_of_it():
    assert basemaps.covered_share((14.4, 51.18, 14.42, 51.2), AREA, 25833) == 1.0


def test_the_extent_is_the_header_box_when_there_is_one():
    info = basemaps.ExtractInfo(bbox=(14.0, 51.0, 15.0, 52.0), nodes=1, ways=0, timestamp="",
                                header=(14.4079, 51.1872, 14.416, 51.1919))
    assert basemaps.extent(info) == (14.4079, 51.1872, 14.416, 51.1919)
    assert basemaps.extent(basemaps.ExtractInfo(bbox=(14.0, 51.0, 15.0, 52.0), nodes=1, ways=0,
                                                timestamp="")) == (14.0, 51.0, 15.0, 52.0)
