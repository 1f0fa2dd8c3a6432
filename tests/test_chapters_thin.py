"""The chapters stay thin (load, compute, figure, glue): no code cell over 12 lines, no chart
spec and no typed date in a notebook. Charts are built in ``nkbook.present.plots``, computations
in ``nkbook.analysis``; both have unit tests that need no kernel."""

from __future__ import annotations

import json
import re

import pytest

from conftest import ROOT

CHAPTERS = sorted((ROOT / "book").glob("*.ipynb"))
MAX_LINES = 12
CHART_SPEC = re.compile(r"\balt\.(Chart|layer|vconcat|hconcat|LayerChart)\b|^\s*import altair|^\s*from altair", re.M)
TYPED_DATE = re.compile(r"""["']\d{4}-\d{2}-\d{2}["']|\bpd\.Timestamp\(\s*["']""")


def code_cells(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            yield index, "".join(cell["source"])


def test_there_are_chapters():
    assert len(CHAPTERS) >= 8


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_no_code_cell_is_long(path):
    long = [(i, len(src.splitlines())) for i, src in code_cells(path) if len(src.splitlines()) > MAX_LINES]
    assert long == [], f"{path.name}: cells (index, lines) over {MAX_LINES} lines; move code into nkbook"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_no_chart_spec_or_typed_date_in_a_chapter(path):
    specs = [i for i, src in code_cells(path) if CHART_SPEC.search(src)]
    dates = [(i, m.group(0)) for i, src in code_cells(path) for m in TYPED_DATE.finditer(src)]
    assert specs == [], f"{path.name}: chart specs in cells {specs}; build charts in nkbook.present.plots"
    assert dates == [], f"{path.name}: typed dates {dates}; name them once in the package"
