"""The deployment tables code the same wording the same way, whoever the estimator.

Each test compares rows with one another: a measure has one ``casualty_type``, an increment is never
a count of troops in place, a scope says where its figure counts, and one estimator has one
``estimator_type``. The failures name the rows, so a new row coded differently from its peers is
caught when it is added.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from nkbook.data import load

# They read the curated tables in data/, like the other tests of the data tier.
pytestmark = pytest.mark.data

#: Every kind of casualty figure, one code each. A "casualties", "killed or wounded", "losses" or
#: "lost" figure is ``killed_or_wounded`` whoever states it (the JCS, the UK MoD, the BBC's sources,
#: Zelensky, Pyongyang); who said it belongs in ``estimator_type``, never in the type.
CASUALTY_TYPES = {
    "killed",
    "wounded",
    "killed_or_wounded",
    "captured",
    "captured_died_of_wounds",
    "killed_share",
    "killed_or_wounded_share",
    "killed_or_wounded_rate",
    "killed_named",
    "dead_repatriated",
    "wounded_repatriated",
    "brigades_destroyed",
}
#: Wording that means "killed or wounded" in a row's own fields.
KILLED_OR_WOUNDED = re.compile(r"killed or wounded|killed and wounded|casualt|\blost\b|\blosses\b", re.IGNORECASE)
#: Wording of an increment on earlier deployments ("more than" is a floor, not an increment).
INCREMENT = re.compile(r"additional|another|\bmore\b(?! than)|newly|second batch|reinforce", re.IGNORECASE)
#: Where a count of troops in place or of an increment can count: the scope must say which.
PLACE = re.compile(r"Russia|Kursk|Far East|Vladivostok|border|Moscow")
#: Estimators named the same way get the same ``estimator_type`` in both tables.
NAMED = [
    (re.compile(r"^South Korea NIS"), "South Korea NIS"),
    (
        re.compile(r"Joint Chiefs of Staff|^South Korea(n)? (Ministry of National Defense|defence ministry)"),
        "South Korea military (JCS/MND)",
    ),
    (re.compile(r"^Volodymyr Zelensky"), "Ukraine president"),
    (re.compile(r"^(Kyrylo Budanov|Vadym Skibitsky|Ukraine military intelligence)"), "Ukraine GUR"),
    (re.compile(r"^Kim Jong Un|^DPRK"), "DPRK official"),
    (re.compile(r"UK Ministry of Defence|UK Defence"), "other"),
    (re.compile(r"^Multilateral Sanctions Monitoring Team"), "MSMT"),
]


def text(row: pd.Series, *fields: str) -> str:
    return " ".join(str(row[f]) for f in fields if pd.notna(row[f]))


def offending(frame: pd.DataFrame, bad) -> list[str]:
    """``estimate_id: what it says`` for each row for which ``bad(row)`` is true."""
    return [f"{row['estimate_id']}: {bad(row)}" for _, row in frame.iterrows() if bad(row)]


@pytest.fixture(scope="module")
def troops():
    return load("troop_estimates")


@pytest.fixture(scope="module")
def casualties():
    return load("casualty_estimates")


def test_each_casualty_measure_has_one_code(casualties):
    """No synonym codes (``casualties_not_broken_down`` beside ``killed_or_wounded``) and no code
    that names the claimant (``casualties_claimed_by_DPRK``)."""
    found = offending(
        casualties,
        lambda r: (
            r["casualty_type"] not in CASUALTY_TYPES and f"casualty_type {r['casualty_type']!r} is not one of the codes"
        ),
    )
    assert not found, found


def test_the_same_wording_gets_the_same_casualty_type(casualties):
    """A count of soldiers whose scope, qualifier, unit or context says "casualties", "killed or
    wounded", "losses" or "lost" is ``killed_or_wounded``; a percentage is a ``_share``, a daily
    figure a ``_rate``."""

    def bad(r):
        unit = str(r["unit"])
        if "percent" in unit:
            return not r["casualty_type"].endswith("_share") and f"a percentage coded {r['casualty_type']}"
        if "per day" in unit:
            return not r["casualty_type"].endswith("_rate") and f"a daily figure coded {r['casualty_type']}"
        said = KILLED_OR_WOUNDED.search(text(r, "scope", "qualifier", "unit", "context"))
        if "soldier" in unit and said and r["casualty_type"] != "killed_or_wounded":
            return f"says {said.group(0)!r} but is coded {r['casualty_type']}"
        return False

    found = offending(casualties, bad)
    assert not found, found


def test_shares_and_rates_only_in_their_units(casualties):
    def bad(r):
        kind = r["casualty_type"]
        if kind.endswith("_share") and "percent" not in str(r["unit"]):
            return f"{kind} in unit {r['unit']!r}"
        if kind.endswith("_rate") and "per day" not in str(r["unit"]):
            return f"{kind} in unit {r['unit']!r}"
        return False

    found = offending(casualties, bad)
    assert not found, found


def test_increments_are_never_counts_in_place(troops):
    """An "additional", "another" or "more" figure is an increment or a projection; an increment
    says so in its qualifier or scope."""

    def bad(r):
        said = INCREMENT.search(str(r["qualifier"]) if pd.notna(r["qualifier"]) else "")
        if said and r["estimate_kind"] == "in_place":
            return f"qualifier says {said.group(0)!r} but the row is in_place"
        if r["estimate_kind"] == "additional" and not INCREMENT.search(text(r, "qualifier", "scope")):
            return "additional, but neither qualifier nor scope says it is an increment"
        return False

    found = offending(troops, bad)
    assert not found, found


def test_every_count_says_where_it_counts(troops):
    """In Russia, in Kursk, in the Far East: a count in place, an increment or a return names its
    place, so a Russia-wide total is never read as a Kursk figure or the reverse."""
    counts = troops[troops["estimate_kind"].isin(["in_place", "additional", "returned"])]
    found = offending(counts, lambda r: not PLACE.search(str(r["scope"])) and f"scope {r['scope']!r} names no place")
    assert not found, found


def test_one_estimator_one_type_across_both_tables(troops, casualties):
    both = pd.concat([troops, casualties], ignore_index=True)
    types = both.groupby("estimator")["estimator_type"].agg(lambda s: sorted(set(s)))
    assert not (split := types[types.map(len) > 1].to_dict()), split

    def bad(r):
        for name, kind in NAMED:
            if name.search(str(r["estimator"])) and r["estimator_type"] != kind:
                return f"{r['estimator']!r} is coded {r['estimator_type']!r}, the others {kind!r}"
        return False

    found = offending(both, bad)
    assert not found, found
