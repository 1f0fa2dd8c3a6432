"""How the essays are divided and fingerprinted, and the tables derived from them."""

from __future__ import annotations

import pytest

from conftest import SEEDS, needs_seeds
from nkbook.data import essays, load


@pytest.mark.parametrize(
    "text, expected",
    [
        # a footnote number glued to the full stop belongs to the sentence it ends
        (
            "It was signed earlier this year.7,8 In May, more came.",
            ["It was signed earlier this year.7,8", "In May, more came."],
        ),
        # ... and so does one after a space
        ("It began in the Korean War. 9 This act followed.", ["It began in the Korean War. 9", "This act followed."]),
        ("Opposition. 2,3 China's stance held.", ["Opposition. 2,3", "China's stance held."]),
        # abbreviations followed by a bracket or lower case do not end a sentence
        (
            "It will not undermine the U.N. (as China votes) at all.",
            ["It will not undermine the U.N. (as China votes) at all."],
        ),
        # a closing quotation mark after the full stop stays with its sentence
        ("It acts with “caution.” Supporting Russia helps.", ["It acts with “caution.”", "Supporting Russia helps."]),
        ("Is it? Yes!", ["Is it?", "Yes!"]),
    ],
)
def test_split_sentences(text, expected):
    assert essays.split_sentences(text) == expected


def test_fingerprint_ignores_typography_but_not_words():
    a = essays.fingerprint("Kim’s “double-freeze”.7,8")
    assert a == essays.fingerprint('Kim\'s "double-freeze".') == essays.fingerprint('  KIM\'S  "double-freeze". ')
    assert a != essays.fingerprint('Kim\'s "triple-freeze".')
    assert len(a) == 16 and int(a, 16) >= 0


def test_blocks_title_headings_paragraphs_references():
    text = "Title line\n\nA heading\nFirst paragraph. Two sentences.\nIs this a heading?\nSecond one.\nReferences\nSmith, J. A Book. 1999.\nPhoto Credit: X"
    kinds = [(b.kind, b.number) for b in essays.blocks(text)]
    assert kinds == [
        ("title", None),
        ("heading", None),
        ("paragraph", 1),
        ("heading", None),
        ("paragraph", 2),
        ("heading", None),
        ("reference", None),
        ("trailer", None),
    ]
    assert [s.locator for s in essays.sentences(text)] == ["p1.s1", "p1.s2", "p2.s1"]


def test_essay_stats_known_values():
    stats = load("essay_stats").set_index("essay_id")
    assert stats.loc[
        "shadow", ["paragraphs", "sentences", "headings", "works_cited", "in_text_citations"]
    ].tolist() == [8, 26, 4, 5, 5]
    assert stats.loc["staying-power", ["paragraphs", "sentences", "works_cited", "footnote_markers"]].tolist() == [
        6,
        26,
        9,
        9,
    ]
    assert stats.loc["strategic-bet", ["paragraphs", "sentences", "headings", "works_cited"]].tolist() == [15, 54, 5, 0]
    assert stats["words"].tolist() == [661, 834, 1169]


def test_essay_sentences_agree_with_stats():
    sentences = load("essay_sentences")
    stats = load("essay_stats").set_index("essay_id")
    per_essay = sentences.groupby("essay_id").agg(
        sentences=("sentence", "size"), paragraphs=("paragraph", "max"), words=("words", "sum")
    )
    for essay_id, row in per_essay.iterrows():
        assert row.tolist() == stats.loc[essay_id, ["sentences", "paragraphs", "words"]].tolist(), essay_id
    assert not sentences["fingerprint"].duplicated().any()


def test_committed_tables_hold_no_essay_text():
    """essay_sentences carries positions and hashes only."""
    columns = set(load("essay_sentences").columns)
    assert columns == {"essay_id", "paragraph", "sentence", "locator", "words", "fingerprint", "source_id"}


@needs_seeds
def test_every_essay_file_is_in_the_essays_table():
    listed = set(load("essays")["seed_file"])
    assert listed == {p.name for p in SEEDS.glob("*.txt")}


@needs_seeds
def test_sentence_at_finds_a_known_sentence():
    text = essays.read(SEEDS / "004_c4124e6a8806e28d.txt")
    s = essays.sentence_at(text, 5, 3)
    assert "11,000" in s.text and s.text.endswith("7,8")
    with pytest.raises(LookupError):
        essays.sentence_at(text, 99, 1)


# --------------------------------------------------------------------------- the essays as the chapter describes them


@pytest.fixture(scope="module")
def profile():
    return essays.profile(load("essays"), load("essay_stats"))


def test_profile_figures_are_the_counts_of_essay_stats(profile):
    figures = essays.profile_figures(profile)
    stats = load("essay_stats").merge(load("essays")[["essay_id", "label"]], on="essay_id").set_index("label")
    for label in "ABC":
        k = label.lower()
        assert figures[f"{k}_words"] == stats.loc[label, "words"]
        assert figures[f"{k}_works"] == stats.loc[label, "works_cited"]
    assert list(figures)[:5] == ["a_words", "a_paragraphs", "a_sentences", "a_mean", "a_works"]
    assert figures["b_date"] == "28 February 2025" and figures["c_date"] == "5 January 2026"
    assert figures["a_asof"] == "17 October 2024"


def test_glance_says_undated_for_essay_a(profile):
    table = essays.glance(profile)
    assert list(table.columns) == list(essays.GLANCE_COLUMNS)
    assert table.loc[0, "Essay"] == "A" and table.loc[0, "Published"].endswith(", undated")
    assert table.loc[1, "Published"].endswith("28 February 2025")


def test_works_with_age_and_citation_figures():
    aged = essays.works_with_age(load("essay_works_cited"), load("essays"))
    assert set(aged["essay"]) == {"Essay A", "Essay B"}  # Essay C has no reference list
    assert (aged["age_years"] == aged["judged_as_of"].dt.year - aged["first_published"]).all()
    figures = essays.citation_figures(aged)
    assert figures["n_works"] == len(aged) == 14
    assert figures["n_consistent"] + figures["n_slip"] + figures["n_unverified"] == figures["n_works"]


def test_tables_of_works_and_arguments():
    works = essays.works_table(load("essay_works_cited"))
    assert list(works.columns) == ["Ref.", "Author", "Work", "Kind", "As cited", "What we found"]
    assert essays.arguments_table(load("essays"))["Essay"].tolist() == ["A", "B", "C"]


def test_dates_judged_are_those_the_method_explains():
    assert essays.dates_judged(load("essays")) == {
        "a_asof": "17 October 2024",
        "b_asof": "28 February 2025",
        "b_written": "28 November 2024",  # the day Essay B's sources were read: written by then
        "c_asof": "5 January 2026",
    }
