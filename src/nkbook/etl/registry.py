"""Which builder makes which table, from which folder of ``../shared``: the one list
``make data`` and the tests read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from nkbook.etl.steps import alliances, essay_texts, missile_tests, ofac_sdn, regimes, un_1718, unga


@dataclass(frozen=True)
class Builder:
    build: Callable[[Path], pd.DataFrame]
    inputs: str  # the folder under ../shared the builder reads

    def __call__(self, shared: Path) -> pd.DataFrame:
        return self.build(shared / self.inputs)


SNAPSHOTS = "data/snapshots"
SEEDS = "seeds"
DATA = "data"  # snapshots and research files both

DERIVED = {
    "un_1718_designations": Builder(un_1718.build, SNAPSHOTS),
    "ofac_dprk_sdn_entries": Builder(ofac_sdn.build, SNAPSHOTS),
    "missile_tests": Builder(missile_tests.build, SNAPSHOTS),
    "unga_ideal_points": Builder(unga.build_ideal_points, SNAPSHOTS),
    "unga_agreement": Builder(unga.build_agreement, SNAPSHOTS),
    "unga_ukraine_votes": Builder(unga.build_ukraine_votes, DATA),
    "regimes_of_the_world": Builder(regimes.build_row, SNAPSHOTS),
    "freedom_house": Builder(regimes.build_fh, SNAPSHOTS),
    "atop_alliances": Builder(alliances.build, SNAPSHOTS),
    "essay_sentences": Builder(essay_texts.build_sentences, SEEDS),
    "essay_stats": Builder(essay_texts.build_stats, SEEDS),
}
