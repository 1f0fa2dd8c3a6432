"""The build driver re-executes every chapter when a shared input changes, and exactly the
chapters that read a table when only that table changes."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import ROOT
from nkbook.publish.build import input_files, plan, state
from nkbook.publish.execute import DEPENDENCIES, read_dependencies


@pytest.fixture
def copy(tmp_path):
    root = tmp_path / "p"
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copytree(ROOT / "src", root / "src")
    (root / "book").mkdir()
    for name in ["references.bib", "_dependencies.json", *[p.name for p in (ROOT / "book").glob("*.ipynb")]]:
        shutil.copy(ROOT / "book" / name, root / "book" / name)
    for name in ("CITATION.cff", "requirements.lock", "_config.yml"):
        shutil.copy(ROOT / name, root / name)
    return root


def test_shared_inputs_are_the_package_bibliography_lock_configuration_and_dependency_map():
    names = {str(p.relative_to(ROOT)) for p in input_files(ROOT)}
    assert {
        "book/references.bib",
        "src/nkbook/present/charts.py",
        "requirements.lock",
        "_config.yml",
        DEPENDENCIES,
    } <= names
    assert not any(n.startswith("data/") for n in names)  # tables count chapter by chapter


def test_every_chapter_has_its_tables_recorded():
    deps = read_dependencies(ROOT)
    assert sorted(deps) == sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "book").glob("*.ipynb"))
    # the closing section, "What this means for the essays", reads the register (claims, essays)
    assert deps["book/sanctions.ipynb"] == [
        "claims",
        "essays",
        "ofac_dprk_sdn_entries",
        "petroleum_supply",
        "un_1718_designations",
        "unsc_dprk_actions",
        "us_dprk_russia_designations",
    ]
    assert [c for c, tables in sorted(deps.items()) if "dprk_trade" in tables] == ["book/flows.ipynb"]


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_nothing_changed_means_nothing_re_executed(copy):
    assert plan(state(copy), state(copy)) == ("none", [])
    assert plan(None, state(copy)) == ("all", [])


def test_a_table_re_executes_exactly_the_chapters_that_read_it(copy):
    before = state(copy)
    _edit(copy / "data" / "dprk_trade.csv", "6390000000,US$6.39 billion", "6391000000,US$6.39 billion")
    assert plan(before, state(copy)) == ("some", ["book/flows.ipynb"])
    (copy / "data" / "petroleum_supply.csv").touch()  # a newer file with the same bytes is no change
    assert plan(before, state(copy)) == ("some", ["book/flows.ipynb"])


def test_a_table_description_counts_as_the_table(copy):
    before = state(copy)
    pkg = json.loads((copy / "data" / "datapackage.json").read_text())
    next(r for r in pkg["resources"] if r["name"] == "troop_estimates")["title"] = "Retitled"
    (copy / "data" / "datapackage.json").write_text(json.dumps(pkg, indent=1))
    assert plan(before, state(copy)) == ("some", ["book/troops.ipynb"])


@pytest.mark.parametrize(
    "change",
    [
        lambda root: _edit(
            root / "data" / "datapackage.json", '"x-data-cutoff": "2026-11-22"', '"x-data-cutoff": "2026-11-23"'
        ),
        lambda root: _edit(root / "src" / "nkbook" / "charts.py", "PALETTE = [", "PALETTE = [  # edited\n"),
        lambda root: _edit(root / "book" / "references.bib", "@online{", "@online {"),
        lambda root: _edit(root / "book" / "_dependencies.json", '"claims",', '"claims", "dprk_trade",'),
    ],
    ids=["data cut-off", "package", "bibliography", "dependency map"],
)
def test_a_shared_input_re_executes_everything(copy, change):
    before = state(copy)
    change(copy)
    assert plan(before, state(copy)) == ("all", [])


def test_a_chapter_missing_from_the_map_reads_every_table(copy):
    deps = json.loads((copy / "book" / "_dependencies.json").read_text())
    del deps["book/flows.ipynb"]
    (copy / "book" / "_dependencies.json").write_text(json.dumps(deps))
    before = state(copy)
    text = (copy / "data" / "us_dprk_russia_designations.csv").read_text()
    (copy / "data" / "us_dprk_russia_designations.csv").write_text(text + "\n")
    assert plan(before, state(copy)) == ("some", ["book/flows.ipynb", "book/sanctions.ipynb"])
