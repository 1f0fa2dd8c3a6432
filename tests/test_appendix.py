"""The data appendix is written from datapackage.json: a page per table, kept current."""

from __future__ import annotations

import json
import re

import pytest

from conftest import HTML, ROOT
from nkbook.data import resource_names
from nkbook.present import appendix


def test_committed_appendix_is_current():
    assert appendix.stale(ROOT) == [], "run `make data` (or python -m nkbook.present.appendix)"
    assert sorted(p.stem for p in (ROOT / "book" / "appendix").glob("*.md")) == sorted(resource_names())
    assert appendix.main(["--check"]) == 0


def test_page_gives_description_columns_sources_licence_and_download():
    text = (ROOT / "book" / "appendix" / "un_1718_designations.md").read_text(encoding="utf-8")
    assert text.startswith(appendix.GENERATED)
    assert "Table `un_1718_designations`: 155 rows, 6 columns. Each row is identified by `reference_number`." in text
    assert "run from 24 April 2009 to 30 March 2018." in text
    assert (
        "| `listed_on` | date (`%Y-%m-%d`) | Date the entry was listed (LISTED_ON). | required; from 2006-10-14 to 2024-09-26 |"
        in text
    )
    assert r"matches `^KP[ie]\.\d{3}$`" in text
    name = next(line for line in text.splitlines() if line.startswith("| `name` |"))
    assert name.endswith("| required; at most 200 characters |")  # the text's maximum length
    assert '<a href="../../_static/downloads/un_1718_designations.csv" download>' in text
    assert "13,911 bytes; SHA-256 <code>1056c527d2a07721d32e7050e9d6de980278f164de8a58730daa2228b011cccd</code>" in text
    assert "[Creative Commons Attribution 4.0](https://creativecommons.org/licenses/by/4.0/)" in text
    assert re.findall(r"^- \{cite:t\}`([^`]+)`", text, re.M) == ["unsc-consolidated-list-2024-09-26"]
    troops = (ROOT / "book" / "appendix" / "troop_estimates.md").read_text(encoding="utf-8")
    assert "The 62 sources its rows name" in troops  # 63 before two relays were replaced by one original
    assert len(re.findall(r"^- \{cite:t\}", troops, re.M)) == 62


def test_a_changed_package_makes_pages_stale_and_make_data_rewrites_them(project_copy):
    appendix.write(project_copy)
    assert appendix.stale(project_copy) == []
    path = project_copy / "data" / "datapackage.json"
    pkg = json.loads(path.read_text())
    pkg["resources"] = [r for r in pkg["resources"] if r["name"] != "atop_alliances"]
    next(r for r in pkg["resources"] if r["name"] == "essays")["title"] = "The three essays, retitled"
    path.write_text(json.dumps(pkg, indent=1))
    assert appendix.stale(project_copy) == [
        "book/data-appendix.md",
        "book/appendix/essays.md",
        "book/appendix/atop_alliances.md (no such table)",
    ]
    appendix.write(project_copy)
    assert not (project_copy / "book" / "appendix" / "atop_alliances.md").exists()
    assert "# The three essays, retitled" in (project_copy / "book" / "appendix" / "essays.md").read_text()
    assert appendix.stale(project_copy) == []


@pytest.mark.skipif(not (HTML / "index.html").is_file(), reason="no built book: run `make book` first")
def test_appendix_pages_are_built_and_listed():
    contents = (HTML / "book" / "data-appendix.html").read_text(encoding="utf-8")
    for name in resource_names():
        assert (HTML / "book" / "appendix" / f"{name}.html").is_file(), name
        assert f'href="appendix/{name}.html"' in contents, name
