"""Consistent coding across rows of ``munitions_transfers`` and ``reported_transfers_to_dprk``.

The same wording gets the same code, whoever the estimator: an item named alike gets one
``item_norm``; a row without a figure is ``qualitative``; every delivery is ``use = supplied`` and
every figure of missiles fired (or of the share of the ammunition Russia fires) ``use = used``; a
named agency gets its ``estimator_type``/``reporter_type``; a claim worded "sought" or "possibly"
is ``suspected``. ``NKBOOK_TEST_DATA`` points the tests at another ``data/`` folder (e.g. the tables
of an older commit, to show that they fail there).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT

pytestmark = pytest.mark.data

DATA = Path(os.environ.get("NKBOOK_TEST_DATA") or ROOT / "data")
FIGURES = ("figure_low", "figure_high", "figure_point")

#: Words in an estimator's or reporter's name, and the type they must carry.
AGENCIES = (
    (r"\bNIS\b(?!-affiliated)|National Intelligence Service", "South Korea NIS"),
    (r"Defen[cs]e Intelligence Agency", "South Korea military (JCS/MND)"),
    (r"Multilateral Sanctions Monitoring Team", "MSMT"),
    (r"Budanov|Skibitskyi|\bHUR\b|\bGUR\b", "Ukraine GUR"),
    (r"Zelensky", "Ukraine president"),
    (r"NATO Secretary General", "NATO"),
)


def table(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / f"{name}.csv", dtype=str, keep_default_na=False)


def munitions() -> pd.DataFrame:
    return table("munitions_transfers")


def transfers() -> pd.DataFrame:
    return table("reported_transfers_to_dprk")


def offenders(frame: pd.DataFrame, mask: pd.Series, key: str) -> list[str]:
    return sorted(frame.loc[mask, key])


def test_same_item_wording_same_item_norm():
    m = munitions()
    norms = m.groupby(m["item"].str.strip().str.lower())["item_norm"].nunique()
    assert list(norms[norms > 1].index) == []


def test_item_norm_follows_the_item_named():
    m = munitions()
    item = m["item"].str.lower()
    rules = (
        (item.str.contains("container"), "containers"),
        (item.str.contains("share of"), "share of Russian ammunition"),
        (item.str.contains(r"kn-2\d|ballistic missile"), "ballistic missiles"),
        (item.str.contains("mortar"), "other"),
    )
    for mask, norm in rules:
        assert offenders(m, mask & (m["item_norm"] != norm), "estimate_id") == [], norm


def test_a_row_without_a_figure_is_qualitative_and_only_then():
    m = munitions()
    figure = (m[list(FIGURES)] != "").any(axis=1)
    assert offenders(m, ~figure & (m["measure_kind"] != "qualitative"), "estimate_id") == []
    assert offenders(m, figure & (m["measure_kind"] == "qualitative"), "estimate_id") == []


def test_conversions_are_capacity_equivalents():
    m = munitions()
    named = m["item"].str.lower().str.contains("equivalent") & (m["measure_kind"] != "qualitative")
    assert offenders(m, named & (m["measure_kind"] != "capacity_equivalent"), "estimate_id") == []
    shares = m["measure_kind"] == "share"
    assert offenders(m, shares != (m["item_norm"] == "share of Russian ammunition"), "estimate_id") == []


def expected_use(row: pd.Series) -> str:
    item = row["item"].lower()
    if "(expected)" in item:
        return ""
    if re.search(r"\(used?\)", item) or "launched at" in row["unit"] or row["measure_kind"] == "share":
        return "used"
    return "supplied"


def test_use_is_coded_alike():
    m = munitions()
    wrong = m[m.apply(expected_use, axis=1) != m["use"]]
    assert list(wrong["estimate_id"]) == []


@pytest.mark.parametrize(
    ("name", "who", "kind", "key"),
    [
        ("munitions_transfers", "estimator", "estimator_type", "estimate_id"),
        ("reported_transfers_to_dprk", "reported_by", "reporter_type", "report_id"),
    ],
)
def test_a_named_agency_gets_its_type(name, who, kind, key):
    frame = table(name)
    for pattern, wanted in AGENCIES:
        named = frame[who].str.contains(pattern, regex=True) & ~frame[who].str.contains(r"citing|ICUV")
        assert offenders(frame, named & (frame[kind] != wanted), key) == [], wanted


def test_status_follows_the_wording():
    x = transfers()
    item = x["item"].str.lower()
    # the claim's own verb is hedged (a hedge further on qualifies one part of a list, e.g. X045)
    hedged = item.str.contains(r"\bsought\b") | item.str[:50].str.contains(r"\bpossibl[ey]\b")
    assert offenders(x, hedged & (x["status_as_reported"] != "suspected"), "report_id") == []
    denied = item.str.contains(r"\bdenied\b|\brejected\b")
    assert offenders(x, denied != (x["status_as_reported"] == "denied"), "report_id") == []


def test_item_category_follows_the_item_named():
    x = transfers()
    item = x["item"].str.lower()
    rules = (
        (item.str.contains("pantsir"), "air_defence"),
        (item.str.contains("tourist"), "tourism"),
        (item.str.contains(r"\bworkers\b") & ~item.str.contains("technology"), "labour"),
    )
    for mask, category in rules:
        assert offenders(x, mask & (x["item_category"] != category), "report_id") == [], category
