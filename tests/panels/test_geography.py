"""Distance from home (panels/geography.py), pure: great-circle miles and HMIP's bands."""

from __future__ import annotations

from decimal import Decimal

import pytest

from panels.geography import (
    NOT_KNOWN,
    OVER_100,
    UP_TO_50,
    UP_TO_100,
    distance_band,
    distance_from_home,
    miles_between,
    point,
)

LONDON = (51.51, -0.13)
LEEDS = (53.80, -1.55)
BIRMINGHAM = (52.48, -1.90)
CARDIFF = (51.48, -3.18)
EDINBURGH = (55.95, -3.19)


@pytest.mark.parametrize(("a", "b", "miles"), [
    (LONDON, LEEDS, 169),  # about 170 miles in a straight line
    (LONDON, BIRMINGHAM, 101),
    (CARDIFF, EDINBURGH, 309),
    (LONDON, CARDIFF, 131),
])
def test_known_distances_within_a_mile(a, b, miles):
    assert abs(miles_between(a, b) - miles) < 1


def test_distance_is_the_same_both_ways():
    assert miles_between(LONDON, LEEDS) == pytest.approx(miles_between(LEEDS, LONDON))


def test_a_point_is_no_distance_from_itself():
    assert miles_between(LEEDS, LEEDS) == 0


def test_decimal_coordinates_as_the_database_gives_them():
    assert distance_from_home((Decimal("51.51"), Decimal("-0.13")), (Decimal("53.80"), Decimal("-1.55"))) == 169


def test_an_unknown_location_gives_no_distance():
    assert distance_from_home(point(None, None), LEEDS) is None


def test_half_a_point_is_no_point():
    assert point(Decimal("53.8"), None) is None


@pytest.mark.parametrize(("miles", "band"), [
    (0, UP_TO_50), (50, UP_TO_50), (51, UP_TO_100), (100, UP_TO_100), (101, OVER_100), (None, NOT_KNOWN),
])
def test_the_hmip_bands(miles, band):
    assert distance_band(miles) == band
