"""The Correlates of War state codes, mapped to ISO 3166 alpha-3: read from the ideal-point file,
which codes both. Used by every builder whose snapshot names states by their COW code."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nkbook.data import countries
from nkbook.etl import require

#: The ideal-point file (Bailey, Strezhnev and Voeten), under ``../shared/data/snapshots``.
IDEAL_POINTS = "unga-votes/voeten-ideal-points-2025/IdealpointsJuly2025.dta"


def known(code: str) -> bool:
    """Whether pycountry knows an ISO alpha-3 code."""
    try:
        countries.name(code)
        return True
    except countries.CountryError:
        return False


def cow_to_iso3(snapshots: Path) -> dict[int, str]:
    """COW code -> ISO alpha-3, from the ideal-point file (its latest coded row per COW code);
    only codes pycountry knows (so not the file's 'YAR' for the two Yemens before 1990)."""
    d = pd.read_stata(require(snapshots / IDEAL_POINTS), columns=["ccode", "iso3c", "year"])
    d = d[d.iso3c != ""].sort_values("year")
    mapping = d.groupby("ccode").iso3c.last()
    return {int(c): code for c, code in mapping.items() if known(code)}
