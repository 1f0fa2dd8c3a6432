"""Bad values inside well-formed tables: each gets one clear problem naming file, row, field and
what was expected (issue 15).

Numbers must be plain ASCII digits (no ``1_5``, ``+15``, `` 15``, ``١٥``, ``nan``, ``inf``,
``1e400``) and integers fit in 64 bits; text holds no lone whitespace, control or invisible
characters and does not begin with a spreadsheet formula's ``=``, ``+``, ``-`` or ``@``; text has a
maximum length; dates and numbers stay in a plausible range. The checks are
:mod:`nkbook.data.cells` and the schema's constraints; the audit at the end makes sure a future
field cannot leave out its bounds.
"""

from __future__ import annotations

import json

import pytest

from nkbook.core.errors import DataError
from nkbook.data import load, package, validate
from test_bad_input import edit_table, only, replace_in_row


def _bad_cell(root, table, row, old, new):
    """Replace ``old`` by ``new`` in data row ``row`` of a copy of ``table``; its one problem."""
    edit_table(root, table, replace_in_row(row, old, new))
    return only(validate(table))


def _case(table, row, old, new, field, expected):
    return pytest.param(table, row, old, new, field, expected, id=f"{table}.{field}={new!r}")


# ----------------------------------------------------------------------------------------- numbers
# votes_for: an integer from 0 to 15; n_individuals: an integer, at least 0 (no maximum);
# petroleum value: a number, at least 0.
def _votes(new, expected):
    return _case("unsc_dprk_actions", 2, ",15,0,0,", f",{new},0,0,", "votes_for", expected)


def _barrels(new, expected):
    return _case("petroleum_supply", 3, ",cap,500000,up to,", f",cap,{new},up to,", "value", expected)


NUMBERS = [
    _votes("fifteen", 'type-error: cell "fifteen": is not an integer; expected an integer in ASCII digits 0-9'),
    _votes("1_5", 'type-error: cell "1_5": has an underscore; expected an integer in ASCII digits 0-9'),
    _votes("١٥", 'type-error: cell "١٥": uses digits other than ASCII 0-9'),
    _votes("１５", 'type-error: cell "１５": uses digits other than ASCII 0-9'),
    _votes("+15", 'type-error: cell "+15": has a leading "+"'),
    _votes(" 15", 'type-error: cell " 15": has whitespace around it'),
    _votes("15 ", 'type-error: cell "15 ": has whitespace around it'),
    _votes("nan", 'type-error: cell "nan": is not a finite number'),
    _votes("inf", 'type-error: cell "inf": is not a finite number'),
    _votes("-inf", 'type-error: cell "-inf": is not a finite number'),
    _votes("1e400", 'type-error: cell "1e400": has an exponent'),
    _case(
        "us_dprk_russia_designations",
        1,
        ",OFAC,2,3,,",
        ",OFAC,9223372036854775808,3,,",
        "n_individuals",
        "is too large for a 64-bit integer; expected a value from -9223372036854775808 to 9223372036854775807",
    ),
    _case(
        "us_dprk_russia_designations",
        1,
        ",OFAC,2,3,,",
        ",OFAC,99999999999999999999999,3,,",
        "n_individuals",
        "is too large for a 64-bit integer",
    ),
    _barrels('"1,5"', 'type-error: cell "1,5": is not a number; expected a number in ASCII digits 0-9'),
    _barrels("\u22125", 'type-error: cell "\u22125": is not a number'),  # a minus sign, not "-"
    _barrels("1_5", 'type-error: cell "1_5": has an underscore; expected a number in ASCII digits 0-9'),
    _barrels("١٥", 'type-error: cell "١٥": uses digits other than ASCII 0-9'),
    _barrels("１５", 'type-error: cell "１５": uses digits other than ASCII 0-9'),
    _barrels("+15", 'type-error: cell "+15": has a leading "+"'),
    _barrels(" 15", 'type-error: cell " 15": has whitespace around it'),
    _barrels("15 ", 'type-error: cell "15 ": has whitespace around it'),
    _barrels("nan", 'type-error: cell "nan": is not a finite number'),
    _barrels("NaN", 'type-error: cell "NaN": is not a finite number'),
    _barrels("inf", 'type-error: cell "inf": is not a finite number'),
    _barrels("-inf", 'type-error: cell "-inf": is not a finite number'),
    _barrels("Infinity", 'type-error: cell "Infinity": is not a finite number'),
    _barrels("1e400", 'type-error: cell "1e400": has an exponent'),
    _barrels("5e5", 'type-error: cell "5e5": has an exponent'),
    _barrels("1" * 400, "is too large for a 64-bit floating-point number; expected a finite number"),
]


@pytest.mark.parametrize(("table", "row", "old", "new", "field", "expected"), NUMBERS)
def test_a_number_not_written_plainly_is_named(project_copy, table, row, old, new, field, expected):
    p = _bad_cell(project_copy, table, row, old, new)
    assert (p.file, p.row, p.field) == (f"data/{table}.csv", row, field)
    assert expected in p.message


def test_an_integer_too_large_is_a_data_error_on_load_not_an_overflow(project_copy):
    edit_table(
        project_copy, "us_dprk_russia_designations", replace_in_row(1, ",OFAC,2,3,,", ",OFAC,2,3,99999999999999999999,")
    )
    for check_stats in (True, False):  # make data loads curated tables without the stats check
        with pytest.raises(
            DataError, match=r"us_dprk_russia_designations.csv, row 1 \(line 2\), field 'n_vessels_or_aircraft'"
        ):
            load("us_dprk_russia_designations", check_stats=check_stats)


def test_a_field_may_allow_nan_and_infinity_in_the_table_schema_spelling(project_copy):
    pkg_path = project_copy / "data" / "datapackage.json"
    pkg = json.loads(pkg_path.read_text())
    res = next(r for r in pkg["resources"] if r["name"] == "petroleum_supply")
    next(f for f in res["schema"]["fields"] if f["name"] == "value")["x-allow-nonfinite"] = True
    pkg_path.write_text(json.dumps(pkg, indent=2) + "\n")
    edit_table(project_copy, "petroleum_supply", replace_in_row(3, ",cap,500000,up to,", ",cap,INF,up to,"))
    assert validate("petroleum_supply") == []
    assert load("petroleum_supply")["value"].iloc[2] == float("inf")
    edit_table(project_copy, "petroleum_supply", replace_in_row(3, ",cap,INF,up to,", ",cap,inf,up to,"))
    assert (
        "expected a number in ASCII digits 0-9 with an optional leading" in only(validate("petroleum_supply")).message
    )


# -------------------------------------------------------------------------------------------- text
# name: required text of the UN list (row 3: TANCHON COMMERCIAL BANK); vetoed_by: optional text.
def _name(new, expected):
    return _case("un_1718_designations", 3, "TANCHON COMMERCIAL BANK", new, "name", expected)


TEXT = [
    _name(" ", 'text-error: cell " ": holds only whitespace; the field is required: expected a value'),
    _name("   ", "holds only whitespace; the field is required"),
    _name("\t", 'cell "\\u0009": holds only whitespace; the field is required'),
    _case(
        "unsc_dprk_actions",
        1,
        ",15,0,0,,,",
        ",15,0,0, ,,",
        "vetoed_by",
        'cell " ": holds only whitespace: expected a value or an empty cell',
    ),
    _name("TANCHON\x00BANK", r'cell "TANCHON\u0000BANK": contains U+0000 (NUL), a control or invisible character'),
    _name("TANCHON\tBANK", "contains U+0009 (TAB)"),
    _name('"TANCHON\nBANK"', "contains U+000A (LINE FEED)"),
    _name('"TANCHON\rBANK"', "contains U+000D (CARRIAGE RETURN)"),
    _name("TANCHON\x1bBANK", "contains U+001B (control character)"),
    _name("TANCHON\x7fBANK", "contains U+007F (DELETE)"),
    _name("TANCHON\x85BANK", "contains U+0085 (control character)"),
    _name("TANCHON\u202eKNAB", "contains U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    _name("TANCHON\u200bBANK", "contains U+200B (ZERO WIDTH SPACE)"),
    _name("\ufeffTANCHON BANK", "contains U+FEFF (ZERO WIDTH NO-BREAK SPACE)"),
    _name("TANCHON\u2028BANK", "contains U+2028 (LINE SEPARATOR)"),
    _name("TANCHON\ue000BANK", "contains U+E000"),
    _name(" TANCHON COMMERCIAL BANK", "begins or ends with whitespace; expected the value without it"),
    _name("TANCHON COMMERCIAL BANK ", "begins or ends with whitespace; expected the value without it"),
    _name("=1+2", 'cell "=1+2": begins with "=", which spreadsheets run as a formula; expected text that does not'),
    _name(
        '"=HYPERLINK(""https://example.org"",""x"")"',
        'begins with "=", which spreadsheets run as a formula',
    ),
    _name("+1+2", 'begins with "+", which spreadsheets run as a formula'),
    _name("-1+2", 'begins with "-", which spreadsheets run as a formula'),
    _name("@SUM(1+2)", 'begins with "@", which spreadsheets run as a formula'),
]


@pytest.mark.parametrize(("table", "row", "old", "new", "field", "expected"), TEXT)
def test_text_that_is_blank_hidden_or_a_formula_is_named(project_copy, table, row, old, new, field, expected):
    p = _bad_cell(project_copy, table, row, old, new)
    assert (p.file, p.row, p.field) == (f"data/{table}.csv", row, field)
    assert expected in p.message


def _max_length(table, field):
    res = next(r for r in package()["resources"] if r["name"] == table)
    return next(f for f in res["schema"]["fields"] if f["name"] == field)["constraints"]["maxLength"]


@pytest.mark.parametrize("extra", [1, 100_000])
@pytest.mark.parametrize(
    ("table", "row", "old", "field"),
    [
        ("un_1718_designations", 3, "TANCHON COMMERCIAL BANK", "name"),
        ("unsc_dprk_actions", 1, "res-1695-2006", "action_id"),  # a pattern alone sets no length
    ],
)
def test_text_longer_than_its_limit_is_named_with_the_limit(project_copy, table, row, old, field, extra):
    limit = _max_length(table, field)
    ok = (old + "x" * limit)[:limit]
    edit_table(project_copy, table, replace_in_row(row, old, ok))
    assert validate(table) == []
    p = _bad_cell(project_copy, table, row, ok, ok + "x" * extra)
    assert (p.row, p.field) == (row, field)
    assert f'constraint "maxLength" is "{limit}"' in p.message
    assert len(p.message) < 200  # the cell is quoted shortened, not in full


# ----------------------------------------------------------------------------- dates and ranges
DATES = [
    _case("un_1718_designations", 1, "2009-04-24", "0001-01-01", "listed_on", 'constraint "minimum" is "2006-10-14"'),
    _case("un_1718_designations", 1, "2009-04-24", "9999-12-31", "listed_on", 'constraint "maximum" is "2024-09-26"'),
    _case(
        "unga_ukraine_resolutions", 2, "2022-03-02", "0001-01-01", "adopted_on", 'constraint "minimum" is "2014-01-01"'
    ),
    _case(
        "unga_ukraine_resolutions", 2, "2022-03-02", "9999-12-31", "adopted_on", 'constraint "maximum" is "2026-12-06"'
    ),
    _case("atop_alliances", 1, "1948-04-06", "0001-01-01", "entered_on", 'constraint "minimum" is "1815-01-01"'),
    _case("atop_alliances", 1, "1992-01-20", "9999-12-31", "exited_on", 'constraint "maximum" is "2016-12-31"'),
    _case("atop_alliances", 1, ",1948,", ",1,", "entry_year", 'constraint "minimum" is "1815"'),
    _case(
        "essay_works_cited", 1, ",1532-12-31,", ",0001-01-01,", "public_since", 'constraint "minimum" is "1400-01-01"'
    ),
    _case(
        "ofac_dprk_sdn_entries",
        462,
        "2023-03-30T18:43:33Z",
        "0001-01-01T00:00:00Z",
        "first_seen_utc",
        'constraint "minimum" is "2021-08-18T00:00:00Z"',
    ),
    _case(
        "ofac_dprk_sdn_entries",
        462,
        "2023-03-30T18:43:33Z",
        "9999-12-31T23:59:59Z",
        "first_seen_utc",
        'constraint "maximum" is "2026-12-06T23:59:59Z"',
    ),
    _case(
        "ofac_dprk_sdn_entries",
        462,
        "2023-03-30T18:43:33Z",
        "2023-03-30T18:43:33",
        "first_seen_utc",
        'type-error: cell "2023-03-30T18:43:33": is not written as YYYY-MM-DDTHH:MM:SSZ in ASCII digits',
    ),
    _case(
        "ofac_dprk_sdn_entries",
        462,
        "2023-03-30T18:43:33Z",
        "2023-03-31T03:43:33+09:00",
        "first_seen_utc",
        "is not written as YYYY-MM-DDTHH:MM:SSZ",
    ),
    _case(
        "un_1718_designations",
        1,
        "2009-04-24",
        "2009-4-24",
        "listed_on",
        "is not written as YYYY-MM-DD in ASCII digits",
    ),
    _case("un_1718_designations", 1, "2009-04-24", "٢٠٠٩-04-24", "listed_on", "is not written as YYYY-MM-DD"),
    # negative values where none can be
    _case("atop_alliances", 1, ",0,365,RUS,", ",0,-365,RUS,", "ccode", 'constraint "minimum" is "1"'),
    _case("atop_alliances", 1, ",3140,0,", ",-3140,0,", "atopid", 'constraint "minimum" is "1"'),
    _case("petroleum_supply", 3, ",cap,500000,up to,", ",cap,-500000,up to,", "value", 'constraint "minimum" is "0"'),
    _case(
        "us_dprk_russia_designations", 1, ",OFAC,2,3,,", ",OFAC,-2,3,,", "n_individuals", 'constraint "minimum" is "0"'
    ),
    _case("unsc_dprk_actions", 2, ",15,0,0,", ",15,-1,0,", "votes_against", 'constraint "minimum" is "0"'),
]


@pytest.mark.parametrize(("table", "row", "old", "new", "field", "expected"), DATES)
def test_a_date_or_number_out_of_its_range_is_named(project_copy, table, row, old, new, field, expected):
    p = _bad_cell(project_copy, table, row, old, new)
    assert (p.file, p.row, p.field) == (f"data/{table}.csv", row, field)
    assert expected in p.message


# ---------------------------------------------------------------------------------- schema audit
#: The numeric fields whose values can be negative (coordinates, ideal points, a % change).
SIGNED = {
    ("places", "latitude"),
    ("places", "longitude"),
    ("unga_ideal_points", "ideal_point"),
    ("unga_ideal_points", "ideal_point_q05"),
    ("unga_ideal_points", "ideal_point_q95"),
    ("unga_ideal_points", "ideal_point_all"),
    ("context_facts", "figure"),
}
DATE_FORMATS = {"date": "%Y-%m-%d", "datetime": "%Y-%m-%dT%H:%M:%SZ"}


def _fields():
    return [(res["name"], f) for res in package()["resources"] for f in res["schema"]["fields"]]


def test_every_field_has_its_bounds():
    """A new table cannot forget them: every number has a minimum (0 unless it is one of SIGNED),
    every date a plausible range in the format the cell checks know, every text a maximum length."""
    signed = set()
    for table, f in _fields():
        where, kind, c = (table, f["name"]), f.get("type", "string"), f.get("constraints", {})
        if kind in ("integer", "number"):
            assert "minimum" in c or "enum" in c, f"{where}: a {kind} field needs a minimum"
            if c.get("minimum", 0) < 0:
                signed.add(where)
            assert "x-allow-nonfinite" not in f or kind == "number", where
        elif kind in DATE_FORMATS:
            assert f.get("format") == DATE_FORMATS[kind], f"{where}: format {f.get('format')!r}"
            assert "minimum" in c and "maximum" in c, f"{where}: a {kind} field needs a minimum and a maximum"
            assert "1400-01-01" <= c["minimum"] < c["maximum"] < "2100-01-01", where
        elif kind == "string":
            assert "enum" in c or 1 <= c.get("maxLength", 0) <= 10_000, f"{where}: a text field needs a maxLength"
        else:
            assert kind == "boolean", where
    assert signed == SIGNED


def test_the_limits_leave_room_above_every_committed_value():
    """maxLength is at least twice the longest committed value (at least 100), so a limit is hit
    only by a value far longer than any real one."""
    for res in package()["resources"]:
        frame = load(res["name"])
        for f in res["schema"]["fields"]:
            c = f.get("constraints", {})
            if "maxLength" in c and res["name"] not in ("search_log", "claim_history"):  # set by hand earlier
                longest = int(frame[f["name"]].str.len().max(skipna=True) or 0)
                assert c["maxLength"] >= max(100, 2 * longest), (res["name"], f["name"], longest)
