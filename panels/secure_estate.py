"""The youth secure estate of England and Wales as reference data, and how names in a cohort file reach it.

Pure: plain data in, plain data out (no ORM, no clock). The establishments are installed as secure-estate
agencies by ``panels.services.secure_estate_install`` (``manage.py create_service`` and ``seed_demo`` call
it); a service edits, adds or retires them in the admin afterwards. The cohort import resolves an
``establishment`` cell against every spelling below as well as the agencies' own names and short names,
and names the closest matches when it cannot.

Sources: HM Inspectorate of Probation, *Resettlement of children from youth custody* (2022): four YOIs in
England and one in Wales (Cookham Wood, Werrington and Wetherby for boys under 18, with the Keppel unit at
Wetherby; Feltham and Parc holding children on separate units), one secure training centre (Oakhill) and
eight secure children's homes detaining children on justice grounds; the first secure school (Oasis
Restore) opened since. Cookham Wood has held adults only since 2024: it stays listed so that older
records still resolve, but is not offered for new placements (``current=False``).

Locations are approximate, at town level (the town or district each establishment is in, to two decimal places,
about half a mile): enough for the distance-from-home bands of the reports (``panels.geography``), not a
postal address. They are public knowledge (each establishment's published town); a service corrects them in the
admin.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Establishment:
    name: str  # the name Convene shows and exports
    short_name: str
    establishment_type: str  # yoi | stc | sch (cohort format); "" where none fits (the secure school)
    spellings: tuple[str, ...] = ()  # other names people write for it
    current: bool = True  # holds children today
    location: tuple[str, str] | None = None  # approximate (latitude, longitude), town level, as decimal strings


SECURE_ESTATE: tuple[Establishment, ...] = (
    Establishment("HMYOI Wetherby", "Wetherby", "yoi", ("Wetherby YOI", "HMP YOI Wetherby", "YOI Wetherby"),
                  location=("53.93", "-1.39")),  # Wetherby
    Establishment("Keppel Unit, HMYOI Wetherby", "Keppel", "yoi", ("Keppel Unit", "Keppel", "Wetherby Keppel Unit"),
                  location=("53.93", "-1.39")),  # Wetherby
    Establishment("HMYOI Werrington", "Werrington", "yoi", ("Werrington YOI", "YOI Werrington"),
                  location=("53.02", "-2.08")),  # Werrington, Stoke-on-Trent
    Establishment("HMYOI Feltham", "Feltham", "yoi",
                  ("Feltham A", "Feltham YOI", "HMP YOI Feltham", "HMP & YOI Feltham", "HMYOI Feltham A"),
                  location=("51.45", "-0.41")),  # Feltham, London
    Establishment("HMP & YOI Parc", "Parc", "yoi", ("Parc YOI", "HMP Parc", "HMYOI Parc", "Parc (Wales)"),
                  location=("51.52", "-3.55")),  # Coity, Bridgend
    Establishment("HMYOI Cookham Wood", "Cookham Wood", "yoi", ("Cookham Wood YOI", "HMP Cookham Wood"),
                  current=False, location=("51.37", "0.49")),  # Borstal, Rochester
    Establishment("Oakhill Secure Training Centre", "Oakhill", "stc", ("Oakhill STC", "STC Oakhill"),
                  location=("52.02", "-0.80")),  # Milton Keynes
    Establishment("Oasis Restore Secure School", "Oasis Restore", "",
                  ("Oasis Restore", "Oasis Restore (Medway)", "Medway Secure School", "Oasis Secure School"),
                  location=("51.37", "0.49")),  # Borstal, Rochester (Medway)
    Establishment("Adel Beck Secure Children's Home", "Adel Beck", "sch", ("Adel Beck SCH", "Adel Beck (Leeds)"),
                  location=("53.86", "-1.58")),  # Adel, Leeds
    Establishment("Aldine House Secure Children's Home", "Aldine House", "sch",
                  ("Aldine House SCH", "Aldine House (Sheffield)"),
                  location=("53.41", "-1.49")),  # Sheffield
    Establishment("Aycliffe Secure Centre", "Aycliffe", "sch", ("Aycliffe SCH", "Aycliffe Secure Children's Home"),
                  location=("54.62", "-1.57")),  # Newton Aycliffe
    Establishment("Barton Moss Secure Care Centre", "Barton Moss", "sch",
                  ("Barton Moss SCH", "Barton Moss Secure Children's Home"),
                  location=("53.47", "-2.38")),  # Eccles, Salford
    Establishment("Clayfields House Secure Children's Home", "Clayfields House", "sch",
                  ("Clayfields House SCH", "Clayfields"),
                  location=("52.93", "-1.27")),  # Stapleford, Nottingham
    Establishment("Hillside Secure Children's Home", "Hillside", "sch", ("Hillside SCH", "Hillside (Neath)"),
                  location=("51.66", "-3.80")),  # Neath
    Establishment("Lincolnshire Secure Unit", "Lincolnshire", "sch",
                  ("Lincolnshire SCH", "Lincolnshire Secure Children's Home"),
                  location=("53.00", "-0.41")),  # Sleaford
    Establishment("Vinney Green Secure Children's Home", "Vinney Green", "sch", ("Vinney Green SCH",),
                  location=("51.50", "-2.49")),  # Emersons Green, Bristol
)


def spelling_key(name: str) -> str:
    """How two spellings are compared: case, punctuation, '&'/'and' and repeated spaces do not count."""
    text = name.casefold().replace("&", " and ").replace("’", "'")
    text = re.sub(r"[^\w\s]", " ", text.replace("'", ""))
    return " ".join(text.split())


def spellings_index(agencies: list[tuple[str, str]]) -> dict[str, str]:
    """Every known spelling (as a key) → the agency name it means.

    ``agencies`` are the (name, short name) pairs of the secure-estate agencies that exist; the reference
    spellings above reach an agency only when an agency of that name exists (a retired or renamed one
    does not come back). An agency's own name wins over anyone else's spelling of it.
    """
    names = {spelling_key(name): name for name, _ in agencies}
    index: dict[str, str] = {}
    for establishment in SECURE_ESTATE:
        target = names.get(spelling_key(establishment.name))
        if target:
            for spelling in (establishment.short_name, *establishment.spellings):
                index.setdefault(spelling_key(spelling), target)
    for name, short_name in agencies:
        if short_name:
            index[spelling_key(short_name)] = name
    index.update(names)
    return index


def closest(name: str, index: dict[str, str], *, limit: int = 3) -> list[str]:
    """The agency names whose spellings are nearest to ``name``, best first, without repeats."""
    found: list[str] = []
    for key in difflib.get_close_matches(spelling_key(name), list(index), n=limit * 3, cutoff=0.6):
        if index[key] not in found:
            found.append(index[key])
    return found[:limit]
