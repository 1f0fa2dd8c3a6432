"""Country names and codes, harmonised with pycountry (ISO 3166, from Debian's iso-codes).

Every table of this book names a state by its ISO 3166-1 alpha-3 code. The snapshots mostly carry
codes already (ISO3 in the ideal points and the 2025 roll calls, ISO2 in ``unvotes``, COW codes in
ATOP and Freedom House); the research files carry names. :func:`iso3` turns either into an alpha-3
code through pycountry's exact lookup (name, official name, common name, alpha-2, alpha-3).

pycountry's fuzzy search is not used: it maps "Republic of Korea" to the DPRK. What the exact
lookup cannot resolve are a few short forms the research files use (``ALIASES``); each is mapped to
the ISO name pycountry then looks up, so the code still comes from the library. A name that is in
neither raises :class:`CountryError`, naming the value: a builder adds the file, row and field.
"""

from __future__ import annotations

from functools import lru_cache

import pycountry


class CountryError(ValueError):
    """A country name or code that pycountry and the alias list cannot resolve."""


# Short or former names used by the research files, each spelled as ISO 3166 spells the state.
ALIASES = {
    "Bosnia and Herz.": "Bosnia and Herzegovina",
    "Bosnia-Herzegovina": "Bosnia and Herzegovina",
    "Brunei": "Brunei Darussalam",
    "CAR": "Central African Republic",
    "Central African Rep.": "Central African Republic",
    "Cape Verde": "Cabo Verde",
    "Dem. Rep. Congo": "Congo, The Democratic Republic of the",
    "Dominican Rep.": "Dominican Republic",
    "Eq. Guinea": "Equatorial Guinea",
    "Macedonia": "North Macedonia",
    "Micronesia": "Micronesia, Federated States of",
    "Republic of Congo": "Congo",
    "Republic of Korea": "Korea, Republic of",
    "Russia": "Russian Federation",
    "S. Sudan": "South Sudan",
    "Saint Vincent and Grenadines": "Saint Vincent and the Grenadines",
    "Swaziland": "Eswatini",
    "São Tomé and Príncipe": "Sao Tome and Principe",
    "Turkey": "Türkiye",
}


@lru_cache(maxsize=None)
def iso3(value: str) -> str:
    """The ISO 3166-1 alpha-3 code of a country name or ISO code; :class:`CountryError` if none."""
    text = str(value).strip()
    if not text:
        raise CountryError("empty country name")
    try:
        return pycountry.countries.lookup(ALIASES.get(text, text)).alpha_3
    except LookupError:
        raise CountryError(
            f"{text!r} is neither an ISO 3166 name or code nor in nkbook.data.countries.ALIASES"
        ) from None


@lru_cache(maxsize=None)
def name(code: str) -> str:
    """A short English name for an alpha-3 code: ISO's common name where it has one ("North Korea",
    "Iran"), else its name ("Russian Federation"). Former states come from ISO 3166-3."""
    country = pycountry.countries.get(alpha_3=code) or pycountry.historic_countries.get(alpha_3=code)
    if country is None:
        raise CountryError(f"{code!r} is not an ISO 3166 alpha-3 code")
    return getattr(country, "common_name", None) or country.name
