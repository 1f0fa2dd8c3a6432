"""Sources: every row's source resolves, and every bibliography entry is used or says why not."""

from __future__ import annotations

import json
import re

import pandas as pd

from conftest import ROOT
from nkbook.data import load, resource_names
from nkbook.data.provenance import check_bibliography, seen_via, short_citation, sources, with_source_names

CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def cited_in_book() -> set[str]:
    keys = set()
    for page in (ROOT / "book").glob("*.md"):
        keys |= {k.strip() for m in CITE.findall(page.read_text(encoding="utf-8")) for k in m.split(",")}
    for nb in (ROOT / "book").glob("*.ipynb"):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "markdown":
                keys |= {k.strip() for m in CITE.findall("".join(cell["source"])) for k in m.split(",")}
    return keys


def used_by_data() -> set[str]:
    keys = set()
    for name in resource_names():
        table = load(name)
        for column in [c for c in table.columns if c.endswith("source_id")]:
            keys |= set(table[column].dropna())
    return keys


def test_bibliography_is_complete():
    assert check_bibliography() == []


def test_no_dangling_source_ids():
    known = set(sources())
    assert used_by_data() - known == set()
    assert cited_in_book() - known == set()


def test_no_unused_entry_without_a_reason():
    used = used_by_data() | cited_in_book() | seen_via()
    unused = {k for k, s in sources().items() if k not in used and not s.keep_reason}
    assert unused == set()


def test_essays_are_in_the_bibliography_with_their_dates():
    s = sources()
    assert s["essay-jhufar-staying-power"].date == "2025-02-28"
    assert s["essay-tcs-strategic-bet"].date == "2026-01-05"
    assert s["essay-medium-shadow"].date == "n.d."


def test_short_citation_and_source_names():
    assert short_citation("ofac-sdn-2024-05-03") == "U.S. Department of the Treasury (2024-05-03)"
    oil = with_source_names(load("petroleum_supply")).set_index("row_id")
    assert oil.loc["kirby-2024-03", "source"] == short_citation("kbs-2024-05-03-russia-shipping-oil-north-korea")


def test_bibliography_checker_finds_each_fault(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@online{a,\n author={{Org}}, title={T}, howpublished={P}, year={2020}, date={2021-01-01},\n"
        " url={ftp://x}, urldate={2026-11}, sourcekind={primary}}\n"
        "@online{b,\n title={T}, howpublished={P}, year={2020}, date={20 May 2020}, url={https://x}, urldate={2026-11-22},"
        " sourcekind={report}}\n",
        encoding="utf-8",
    )
    found = {(p.file.split("'")[1], p.field, p.message.split(" ")[0]) for p in check_bibliography(bib)}
    assert found == {
        ("a", "year", "year"),
        ("a", "urldate", "urldate"),
        ("a", "url", "url"),
        ("b", None, "has"),
        ("b", "date", "date"),
    }


def test_sources_table_lists_every_entry():
    from nkbook.data.provenance import sources_table

    table = sources_table()
    assert len(table) == len(sources()) and table["key"].is_monotonic_increasing
    assert isinstance(table, pd.DataFrame)


def test_each_entry_says_how_close_it_is_to_the_source(tmp_path):
    """sourcekind is primary, report or relay; seenvia names a relay's own entry, and a relay is
    never itself read via another relay."""
    bib = tmp_path / "refs.bib"
    common = (
        "author={{Org}}, title={T}, howpublished={P}, year={2020}, date={2020}, url={https://x}, urldate={2026-12-06}"
    )
    bib.write_text(
        f"@online{{a, {common}}}\n"
        f"@online{{b, {common}, sourcekind={{wire}}}}\n"
        f"@online{{c, {common}, sourcekind={{report}}, seenvia={{d}}}}\n"
        f"@online{{d, {common}, sourcekind={{report}}}}\n"
        f"@online{{e, {common}, sourcekind={{relay}}, seenvia={{f}}}}\n"
        f"@online{{f, {common}, sourcekind={{relay}}}}\n"
        f"@online{{g, {common}, sourcekind={{primary}}, seenvia={{f}}}}\n",
        encoding="utf-8",
    )
    found = {(p.file.split("'")[1], p.field) for p in check_bibliography(bib)}
    assert found == {("a", "sourcekind"), ("b", "sourcekind"), ("c", "seenvia"), ("e", "seenvia")}


def test_every_entry_has_a_kind_and_relays_seen_via_are_kept():
    from nkbook.data.provenance import SOURCE_KINDS

    kinds = {s.sourcekind for s in sources().values()}
    assert kinds <= set(SOURCE_KINDS) and "relay" in kinds and "primary" in kinds
    for key, s in sources().items():
        if s.seenvia:
            assert sources()[s.seenvia].sourcekind == "relay", key


def test_no_row_cites_a_relay_whose_original_the_book_has():
    """Once the book has an original's entry (naming the relay it was read in as seenvia), rows
    cite the original: the relay stays only as "seen via"."""
    copies = seen_via()
    for name in resource_names():
        table = load(name)
        for column in [c for c in table.columns if c.endswith("source_id")]:
            cited = set(table[column].dropna()) & copies
            assert not cited, (name, column, sorted(cited))
