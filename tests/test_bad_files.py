"""Bad files and a bad bibliography get one clear error (file, row or line, field, what was expected),
from ``load``/``validate``, from ``make data`` and from the appendix writer, and nothing on disk changes;
whatever text the data package or the bibliography holds, the appendix's Markdown keeps its tables and
links whole and makes no HTML.

Every table test breaks a copy of the data (the ``project_copy`` fixture) and re-records the file's
hash and size, so that only the intended problem shows.
"""

from __future__ import annotations

import copy
import shutil
from datetime import date, timedelta
from urllib.parse import unquote

import pytest
from markdown_it import MarkdownIt

from conftest import ROOT
from nkbook.core.errors import DataError
from nkbook.data import load, resource, validate
from nkbook.data.provenance import check_bibliography
from nkbook.etl import package as etl_package
from nkbook.etl.__main__ import main as make_data
from nkbook.etl.package import refresh_package
from nkbook.present import appendix
from test_bad_input import edit_table_bytes, only

TABLE = "unsc_dprk_actions"  # a curated table: `make data` never rebuilds it
FILE = f"data/{TABLE}.csv"


def break_table(root, edit, restat=True):
    """Replace the table's bytes by ``edit(bytes)``; re-record its hash and size unless told not to."""
    return edit_table_bytes(root, TABLE, edit, restat)


def in_line(number, old, new):
    """Replace ``old`` by ``new`` in line ``number`` (1 = the header) of the file."""

    def edit(data):
        lines = data.split(b"\n")
        assert old in lines[number - 1], (old, lines[number - 1])
        lines[number - 1] = lines[number - 1].replace(old, new, 1)
        return b"\n".join(lines)

    return edit


# (what, edit of the file's bytes, row, field, what the message says)
BAD_FILES = [
    (
        "not UTF-8",
        in_line(3, b",15,0,0,", b",1\xe95,0,0,"),
        2,
        "votes_for",
        "byte 0xE9 at line 3, character 60 is not UTF-8",
    ),
    ("not UTF-8 in the header", in_line(1, b"summary", b"r\xe9sum\xe9"), None, None, "byte 0xE9 at line 1"),
    ("UTF-16 with a byte-order mark", lambda d: d.decode("utf-8").encode("utf-16"), None, None, "is UTF-16, not UTF-8"),
    ("UTF-16 without one", lambda d: d.decode("utf-8").encode("utf-16-le"), None, None, "is UTF-16, not UTF-8"),
    ("a UTF-8 byte-order mark", lambda d: b"\xef\xbb\xbf" + d, None, None, "starts with a UTF-8 byte-order mark"),
    ("empty", lambda d: b"", None, None, "is empty (0 bytes)"),
    ("only blank lines", lambda d: b"\n\n", None, None, "holds only blank lines"),
    ("a header and no rows", lambda d: d.split(b"\n")[0] + b"\n", None, None, "has a header line but no rows"),
    ("a short header and no rows", lambda d: b"a\n", None, None, "has a header line but no rows"),
    (
        "a quote never closed",
        in_line(36, b",State Department", b',"State Department'),
        35,
        "check_note",
        "the quote that opens this field at line 36 is never closed",
    ),
    (
        "a stray quote that swallows the next fields",
        in_line(4, b",day,", b',"day,'),
        3,
        "date_precision",
        "the quoted field that opens at line 4 is closed by the quote at line 4 but goes on with 'After the 25 May",
    ),
]


@pytest.mark.parametrize(("edit", "row", "field", "message"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_bad_file_is_one_clear_problem_everywhere_and_changes_nothing(
    project_copy, monkeypatch, edit, row, field, message
):
    path = break_table(project_copy, edit)
    # make data's check, on this table alone (the whole run: see the test after the next)
    only_this = {**etl_package.package(), "resources": [resource(TABLE)]}
    monkeypatch.setattr(etl_package, "package", lambda: only_this)
    pkg_path = project_copy / "data" / "datapackage.json"
    before = (path.read_bytes(), pkg_path.read_bytes())
    p = only(validate(TABLE))
    assert (p.file, p.row, p.field) == (FILE, row, field)
    assert message in p.message
    with pytest.raises(DataError) as info:
        load(TABLE)
    assert info.value.problems == [p]
    assert refresh_package() == [p]  # make data's check: the same one problem, and nothing written
    assert (path.read_bytes(), pkg_path.read_bytes()) == before


@pytest.mark.parametrize("ending", [b"\r\n", b"\r"], ids=["CRLF", "CR only"])
def test_other_line_endings_read_the_same_table(project_copy, ending):
    """Handled safely already (a regression guard): CSV allows CRLF, and a lone CR reads the same."""
    expected = load(TABLE)
    break_table(project_copy, lambda d: d.replace(b"\n", ending))
    assert validate(TABLE) == []
    assert load(TABLE).equals(expected)


def test_make_data_on_a_broken_table_prints_the_problem_and_changes_nothing(
    project_copy, tmp_path, monkeypatch, capsys
):
    """What `make data` runs (python -m nkbook.etl, then python -m nkbook.present.appendix) exits 1
    with the problem, and leaves every file of the data and the appendix as it was, to the byte and
    the modification time."""
    monkeypatch.setenv("NKBOOK_SHARED", str(tmp_path / "no-shared"))  # no rebuild: the tables as committed
    shutil.copytree(ROOT / "book" / "appendix", project_copy / "book" / "appendix")
    shutil.copy(ROOT / "book" / "data-appendix.md", project_copy / "book" / "data-appendix.md")
    break_table(project_copy, in_line(3, b",15,0,0,", b",1\xe95,0,0,"), restat=False)

    def state():
        return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(project_copy.rglob("*")) if p.is_file()}

    before = state()
    capsys.readouterr()
    assert make_data([]) == 1
    said = capsys.readouterr().err
    assert "data/datapackage.json left unchanged: 1 problem(s)" in said
    assert f"{FILE}, row 2 (line 3), field 'votes_for': byte 0xE9 at line 3" in said
    assert appendix.main([]) == 1
    said = capsys.readouterr().err
    assert "data appendix left unchanged" in said and f"{FILE}, row 2 (line 3), field 'votes_for'" in said
    assert state() == before


# --------------------------------------------------------------------------- the bibliography

ENTRY = (
    "@online{{{key},\n  author = {{{{Org}}}},\n  title = {{T}},\n  howpublished = {{P}},\n  year = {{{year}}},\n"
    "  date = {{{date}}},\n  url = {{{url}}},\n  urldate = {{{urldate}}},\n  sourcekind = {{primary}},\n}}\n\n"
)
GOOD = {"year": "2020", "date": "2020-05-01", "url": "https://example.org/a", "urldate": "2026-11-22"}
LINES_PER_ENTRY = ENTRY.count("\n")
TOMORROW = (date.today() + timedelta(days=1)).isoformat()

# (what, the second entry's fields, field, what the message says; None: no problem)
BAD_ENTRIES = [
    ("URL with a space", {"url": "https://example.org/a b"}, "url", "contains whitespace"),
    ("URL with a quote and angle brackets", {"url": 'https://example.org/"<a>'}, "url", "cannot hold unencoded"),
    ("URL with a control character", {"url": "https://example.org/a\x01b"}, "url", "cannot hold unencoded"),
    ("URL without a host", {"url": "https:///a"}, "url", "is not a web address"),
    ("URL not on the web", {"url": "ftp://example.org/a"}, "url", "is not a web address"),
    ("URL with parentheses (allowed)", {"url": "https://en.wikipedia.org/wiki/Sanctions_(law)"}, None, None),
    ("urldate tomorrow", {"urldate": TOMORROW}, "urldate", f"urldate {TOMORROW} is later than today"),
    ("urldate impossible", {"urldate": "2026-02-30"}, "urldate", "urldate '2026-02-30' is not a real day"),
    ("urldate not ISO", {"urldate": "22 Nov 2026"}, "urldate", "is not YYYY-MM-DD"),
    ("date impossible", {"date": "2020-02-30"}, "date", "date '2020-02-30' is not a real day"),
    ("date in month 13", {"date": "2020-13"}, "date", "date '2020-13' is not a real month"),
    ("date after the day it was read", {"date": "2026-11-23"}, "date", "later than urldate 2026-11-22"),
]


@pytest.mark.parametrize(("fields", "field", "message"), [c[1:] for c in BAD_ENTRIES], ids=[c[0] for c in BAD_ENTRIES])
def test_bad_bibliography_entry_is_named_with_its_line(tmp_path, fields, field, message):
    bib = tmp_path / "refs.bib"
    if fields.get("date", "2020") > "2026":
        fields = {**fields, "year": fields["date"][:4]}
    bib.write_text(ENTRY.format(key="fine", **GOOD) + ENTRY.format(key="bad", **{**GOOD, **fields}), encoding="utf-8")
    problems = check_bibliography(bib)
    if field is None:
        assert problems == []
        return
    p = only(problems)
    assert (p.file, p.field) == (f"{bib} entry 'bad' (line {LINES_PER_ENTRY + 1})", field)
    assert message in p.message


@pytest.mark.parametrize("second", ["ofac-sdn-2021-08-18", "OFAC-SDN-2021-08-18"], ids=["same", "other case"])
def test_repeated_key_names_both_lines(project_copy, second):
    bib = project_copy / "book" / "references.bib"
    text = bib.read_text(encoding="utf-8")
    first = text[: text.index("@online{ofac-sdn-2021-08-18,")].count("\n") + 1
    last = text.count("\n") + 2
    common = "author={{Org}}, title={T}, howpublished={P}, year={2020}, date={2020}, sourcekind={primary}"
    bib.write_text(
        text + f"\n@online{{{second}, {common}, url={{https://x.org}}, urldate={{2026-11-22}}}}\n", encoding="utf-8"
    )
    with pytest.raises(DataError) as info:
        load("ofac_dprk_sdn_entries")
    p = only(info.value.problems)
    assert p.file == "book/references.bib entry 'ofac-sdn-2021-08-18'"
    assert p.message.startswith(f"is defined 2 times, at lines {first} and {last}")


BROKEN_BIB = [
    ("impossible urldate", "urldate = {2026-02-30}", "field 'urldate': urldate '2026-02-30' is not a real day"),
    (
        "repeated key",
        "urldate = {2026-11-22},\n}\n\n@online{ofac-sdn-2021-08-18, title={x}",
        "is defined 2 times, at lines",
    ),
]


def test_bibliography_key_the_book_cannot_cite_and_bytes_not_utf8(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text(ENTRY.format(key="fine", **GOOD) + ENTRY.format(key="a`b", **GOOD), encoding="utf-8")
    p = only(check_bibliography(bib))
    assert p.file == f"{bib} entry 'a`b' (line {LINES_PER_ENTRY + 1})" and "the key may hold only" in p.message
    bib.write_bytes(ENTRY.format(key="fine", **GOOD).replace("{T}", "{caf\xe9}").encode("latin-1"))
    p = only(check_bibliography(bib))
    assert (p.file, p.message) == (
        str(bib),
        "byte 0xE9 at line 3 is not UTF-8 (invalid continuation byte): save it as UTF-8",
    )


@pytest.mark.parametrize(("new", "said"), [c[1:] for c in BROKEN_BIB], ids=[c[0] for c in BROKEN_BIB])
def test_make_data_on_a_broken_bibliography_prints_the_problem(project_copy, tmp_path, monkeypatch, capsys, new, said):
    monkeypatch.setenv("NKBOOK_SHARED", str(tmp_path / "no-shared"))
    bib = project_copy / "book" / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("urldate = {2026-11-22}", new, 1), encoding="utf-8")
    pkg = (project_copy / "data" / "datapackage.json").read_bytes()
    capsys.readouterr()
    assert make_data([]) == 1
    err = capsys.readouterr().err
    assert "data/datapackage.json left unchanged" in err and said in err and "Traceback" not in err
    assert (project_copy / "data" / "datapackage.json").read_bytes() == pkg


# --------------------------------------------------------------------------- the appendix's Markdown

PAYLOAD = "a|b <script>x</script> &amp; [link](javascript:alert(1)) {{ sub }} `tick` *em* _u_\nnext line"
#: How the payload reads once rendered: as written, but on one line (a title, a link's text) ...
PLAIN = PAYLOAD.replace("\n", " ")
#: ... and where a description may mark code with backticks, with `tick` as code.
SHOWN = PLAIN.replace("`tick`", "tick")
URLS = [
    "https://en.wikipedia.org/wiki/Sanctions_(law)",
    "https://example.org/a)b(c",
    "https://example.org/?a=1&amp;b=2&copy;",
    'https://example.org/search?q=a b&x=<y>"z"|{w}',
]


def md():
    return MarkdownIt("commonmark").enable("table")  # MyST's parser, with the tables it turns on


def rendered_text(children) -> str:
    return "".join(t.content for t in children if t.type in ("text", "code_inline", "softbreak"))


def html_tokens(tokens) -> list[str]:
    return [t.content for t in tokens if t.type == "html_block"] + [
        c.content for t in tokens if t.type == "inline" for c in t.children if c.type == "html_inline"
    ]


def links(tokens) -> list[tuple[str, str]]:
    """Each link of a page: its address and its text as rendered."""
    out = []
    for t in (t for t in tokens if t.type == "inline"):
        kids = t.children
        for i, c in enumerate(kids):
            if c.type == "link_open":
                end = next(j for j in range(i, len(kids)) if kids[j].type == "link_close")
                out.append((c.attrs["href"], rendered_text(kids[i + 1 : end])))
    return out


def hostile_resource():
    res = copy.deepcopy(resource(TABLE))
    res["title"] = res["description"] = PAYLOAD
    res["schema"]["fields"][0]["description"] = PAYLOAD
    res["schema"]["fields"][0]["constraints"] = {"enum": ["x|y", "a`b"], "pattern": "^(a|b)`$"}
    res["licenses"][0]["path"] = URLS[1]
    res["sources"] = [{"title": PAYLOAD, "path": url, "x-bibtex-key": f"k{i}"} for i, url in enumerate(URLS)]
    return res


def test_appendix_links_keep_any_url_and_their_titles_whole():
    found = links(md().parse(appendix.page(hostile_resource())))
    licence, sources = found[0], found[1:]
    assert licence[0] == URLS[1]
    assert [text for _, text in sources] == [PLAIN] * len(URLS)
    hrefs = [href for href, _ in sources]
    assert hrefs[:3] == URLS[:3]  # to the character
    assert unquote(hrefs[3]) == URLS[3] and not set(' <>"|{}') & set(hrefs[3])  # percent-encoded, same address


def test_appendix_text_makes_no_html_and_keeps_tables_whole():
    tokens = md().parse(appendix.page(hostile_resource()))
    # the only HTML is the page's own: the "generated" comment, the download links, the hash
    assert {h.split(" ")[0].rstrip(">") for h in html_tokens(tokens)} == {"<!--", "<a", "</a", "<code", "</code"}
    rows, row = [], None
    for t in tokens:
        if t.type == "tr_open":
            row = []
        elif t.type == "inline" and row is not None:
            row.append(t)
        elif t.type == "tr_close":
            rows.append(row)
            row = None
    assert all(len(r) == 4 for r in rows)  # Column | Type | Description | Constraints: no cell split or lost
    assert rendered_text(rows[1][2].children) == SHOWN
    assert rendered_text(rows[1][3].children) == "one of x|y, a`b; matches ^(a|b)`$"
    heading = next(tokens[i + 1] for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h1")
    assert rendered_text(heading.children) == PLAIN
    description = next(
        tokens[i + 1] for i, t in enumerate(tokens) if t.type == "paragraph_open" and "|" in tokens[i + 1].content
    )
    assert rendered_text(description.children) == SHOWN


def test_contents_page_makes_no_html_from_the_package():
    pkg = appendix.package()
    page = appendix.contents({**pkg, "description": PAYLOAD})
    assert html_tokens(md().parse(page)) == [
        appendix.GENERATED + "\n",
        '<a href="../_static/downloads/datapackage.json" download>',
        "</a>",
    ]


def test_committed_appendix_shows_angle_brackets_as_text():
    """Two committed descriptions (places' gazetteer_id, essay_sentences' locator) hold <...>: written
    as they were, each became an HTML tag that the browser dropped."""
    tokens = md().parse((ROOT / "book" / "appendix" / "places.md").read_text(encoding="utf-8"))
    cell = next(t for t in tokens if t.type == "inline" and "coordinates were read from" in t.content)
    assert rendered_text(cell.children) == (
        "The gazetteer entry the coordinates were read from: geonames:<geonameid> or wikipedia:<article>."
    )
