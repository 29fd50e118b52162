"""How far a child is held from home: great-circle miles between two points, and HMIP's distance bands.

Pure: numbers in, numbers and labels out (no ORM, no clock). The child's home is read as their youth justice
service's area (the service's location, ``Agency.latitude``/``longitude``), the establishment as its agency's
location; both are approximate (town level for the shipped secure estate, ``panels.secure_estate``), so a
distance is a straight line to the nearest mile, not a journey.

Bands as HM Inspectorate of Probation reports them (*Resettlement of children from youth custody*, 2022: 51%
of children held within 50 miles of home, 28% at 51 to 100 miles, 21% over 100): up to 50 miles, 51 to 100,
over 100, and not known where either location is missing.
"""

from __future__ import annotations

import functools
import math
from decimal import Decimal

EARTH_RADIUS_MILES = 3958.8  # the mean radius (IUGG), in statute miles

Point = tuple[Decimal | float, Decimal | float]  # (latitude, longitude) in decimal degrees

UP_TO_50, UP_TO_100, OVER_100, NOT_KNOWN = "up_to_50", "51_to_100", "over_100", "not_known"
DISTANCE_BANDS = {UP_TO_50: "Up to 50 miles", UP_TO_100: "51 to 100 miles", OVER_100: "Over 100 miles",
                  NOT_KNOWN: "Not known"}


def miles_between(a: Point, b: Point) -> float:
    """The great-circle distance from ``a`` to ``b`` in miles (haversine, on a sphere of the mean radius)."""
    lat1, lon1, lat2, lon2 = (math.radians(float(v)) for v in (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))


def point(latitude: Decimal | float | None, longitude: Decimal | float | None) -> Point | None:
    """A point when both coordinates are known, else None."""
    return None if latitude is None or longitude is None else (latitude, longitude)


@functools.lru_cache(maxsize=1024)  # a service's children are held in a score of places: one sum for each
def distance_from_home(home: Point | None, held: Point | None) -> int | None:
    """Whole miles from ``home`` to where the child is ``held``, or None when either is not known."""
    if home is None or held is None:
        return None
    return round(miles_between(home, held))


def distance_band(miles: int | None) -> str:
    """The HMIP band of a distance in whole miles (a key of ``DISTANCE_BANDS``)."""
    if miles is None:
        return NOT_KNOWN
    if miles <= 50:
        return UP_TO_50
    return UP_TO_100 if miles <= 100 else OVER_100
