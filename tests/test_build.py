"""The build driver re-executes the chapters whenever their inputs other than code change."""
from __future__ import annotations

import shutil

from conftest import ROOT
from nkbook.book import input_files, inputs_digest


def test_digest_covers_data_package_and_bibliography():
    names = {str(p.relative_to(ROOT)) for p in input_files(ROOT)}
    assert {"data/datapackage.json", "data/petroleum_supply.csv", "book/references.bib",
            "src/nkbook/charts.py", "requirements.lock"} <= names


def test_digest_changes_with_a_data_file(tmp_path):
    root = tmp_path / "p"
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copytree(ROOT / "src", root / "src")
    (root / "book").mkdir()
    shutil.copy(ROOT / "book" / "references.bib", root / "book")
    before = inputs_digest(root)
    assert inputs_digest(root) == before  # stable
    table = root / "data" / "petroleum_supply.csv"
    table.write_text(table.read_text().replace("500000", "500001", 1))
    assert inputs_digest(root) != before
