"""Which builder makes which table, from which files: the one list ``make data``, ``make refresh``
and the tests read.

Each builder declares everything it reads: ``reads``, paths under ``../shared`` (a folder stands
for every file in it), and ``project_reads``, files of the project itself (a curated table, the
bibliography). ``tests/test_etl_inputs.py`` runs every builder under an audit hook and fails if it
opens a file it did not declare, or declares one it never opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from nkbook.data.provenance import sources
from nkbook.etl import cow
from nkbook.etl.steps import alliances, essay_texts, missile_tests, ofac_sdn, regimes, un_1718, unga


@dataclass(frozen=True)
class Builder:
    build: Callable[[Path], pd.DataFrame]
    inputs: str  # the folder under ../shared the builder is given
    reads: tuple[str, ...]  # what it reads under ../shared: files, or folders for all their files
    project_reads: tuple[str, ...] = ()  # files of the project it reads

    def __call__(self, shared: Path) -> pd.DataFrame:
        return self.build(shared / self.inputs)


SNAPSHOTS = "data/snapshots"
SEEDS = "seeds"
DATA = "data"  # snapshots and research files both

_S = SNAPSHOTS + "/"
#: The state codes of the Correlates of War, read from the ideal-point file (nkbook.etl.cow).
COW_CODES = _S + cow.IDEAL_POINTS
#: The curated table of essays and what validating it reads.
ESSAYS = ("data/datapackage.json", "data/essays.csv", "book/references.bib")

DERIVED = {
    "un_1718_designations": Builder(un_1718.build, SNAPSHOTS, (_S + un_1718.FOLDER,)),
    "ofac_dprk_sdn_entries": Builder(
        ofac_sdn.build, SNAPSHOTS, (_S + ofac_sdn.FOLDER, DATA + "/" + ofac_sdn.FIRST_SEEN)
    ),
    "missile_tests": Builder(
        missile_tests.build,
        SNAPSHOTS,
        (_S + missile_tests.TESTS, _S + missile_tests.MISSILES, _S + missile_tests.FACILITIES),
    ),
    "unga_ideal_points": Builder(unga.build_ideal_points, SNAPSHOTS, (_S + cow.IDEAL_POINTS,)),
    "unga_agreement": Builder(
        unga.build_agreement, SNAPSHOTS, (_S + unga.UNVOTES, _S + unga.UNVOTES_CALLS, _S + unga.UNGA_2025)
    ),
    "unga_ukraine_votes": Builder(
        unga.build_ukraine_votes,
        DATA,
        (DATA + "/" + unga.CROSSCHECK, DATA + "/" + unga.KEY_COUNTRIES, _S + unga.UNGA_2025_ES11),
        ("book/references.bib",),  # sources are matched to the rows by their address
    ),
    "regimes_of_the_world": Builder(regimes.build_row, SNAPSHOTS, (_S + regimes.OWID,)),
    "freedom_house": Builder(regimes.build_fh, SNAPSHOTS, (_S + regimes.FREEDOM_HOUSE, COW_CODES)),
    "atop_alliances": Builder(alliances.build, SNAPSHOTS, (_S + alliances.MEMBERS, _S + alliances.DYADS_V5, COW_CODES)),
    "essay_sentences": Builder(essay_texts.build_sentences, SEEDS, (SEEDS,), ESSAYS),
    "essay_stats": Builder(essay_texts.build_stats, SEEDS, (SEEDS,), ESSAYS),
}


def cite_originals(frame: pd.DataFrame) -> pd.DataFrame:
    """A derived table citing the publisher, not the copy it was read in: a builder names the copy
    of a file it read (e.g. a scraper's copy of OFAC's list); where an entry of the bibliography
    names that copy as ``seenvia``, its rows cite that entry, the original, instead."""
    originals = {s.seenvia: s.key for s in sources().values() if s.seenvia}
    out = frame.copy()
    for column in [c for c in out.columns if c.endswith("source_id")]:
        out[column] = out[column].map(lambda key: originals.get(key, key))
    return out


def built(name: str, shared: Path) -> pd.DataFrame:
    """A derived table as ``make data`` writes it: its builder's rows, citing the originals."""
    return cite_originals(DERIVED[name](shared))
