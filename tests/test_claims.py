"""The claims register: pointers into the essays, verdicts recomputed, evidence dated, JSON-LD."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from conftest import SEEDS, needs_seeds
from nkbook.analysis import claims
from nkbook.analysis.claims import rules
from nkbook.data import essays, load
from nkbook.present import schema_org
from test_bad_input import edit_table


@pytest.fixture(scope="module")
def register():
    return claims.register()


def test_register_covers_the_three_essays(register):
    assert register.groupby("label").size().to_dict() == {"A": 22, "B": 37, "C": 31}
    assert register["claim_id"].str[0].eq(register["label"]).all()


def test_every_paragraph_was_read_for_claims(register):
    """Each paragraph of each essay has at least one claim (checkable or not)."""
    stats = load("essay_stats").set_index("essay_id")
    for essay_id, group in register.groupby("essay_id"):
        assert set(group["paragraph"]) == set(range(1, stats.loc[essay_id, "paragraphs"] + 1)), essay_id


def test_every_locator_and_fingerprint_matches_the_sentence_table(register):
    sentences = load("essay_sentences").set_index(["essay_id", "paragraph", "sentence"])["fingerprint"]
    for row in register.itertuples():
        key = (row.essay_id, row.paragraph, row.sentence)
        assert key in sentences.index, f"{row.claim_id}: no sentence p{row.paragraph}.s{row.sentence}"
        assert sentences.loc[key] == row.fingerprint, (
            f"{row.claim_id}: fingerprint does not match p{row.paragraph}.s{row.sentence}"
        )


@needs_seeds
def test_every_locator_and_fingerprint_matches_the_essay_text(register):
    """Checked against the essays themselves, so the register cannot drift from the texts."""
    texts = {r.essay_id: essays.read(SEEDS / r.seed_file) for r in load("essays").itertuples()}
    for row in register.itertuples():
        sentence = essays.sentence_at(texts[row.essay_id], row.paragraph, row.sentence)
        assert sentence.fingerprint == row.fingerprint, (
            f"{row.claim_id}: the sentence at p{row.paragraph}.s{row.sentence} changed"
        )


_SHORT_QUOTE = re.compile(r"'(?:[^' ]+ ){0,7}[^' ]+'")


def _shingles(text: str, n: int, quotes_allowed: bool = False) -> set[tuple[str, ...]]:
    text = essays.normalise(text)
    if quotes_allowed:  # a quotation of up to eight words, marked as one, is not copying
        text = _SHORT_QUOTE.sub(" ", text)
    words = re.findall(r"[a-z0-9]+", text)
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


@needs_seeds
def test_paraphrases_and_justifications_do_not_copy_the_essays(register):
    """No run of eight words in our text appears in the essays (quotations of a few words are fine)."""
    essay_text = " ".join(essays.read(p) for p in SEEDS.glob("*.txt"))
    theirs = _shingles(essay_text, 8)
    for row in register.itertuples():
        for field in ("paraphrase", "justification", "test"):
            copied = _shingles(getattr(row, field), 8, quotes_allowed=True) & theirs
            assert not copied, f"{row.claim_id} {field} copies the essay: {' '.join(sorted(copied)[0])}"


def test_register_has_no_problems():
    """Rule verdicts recomputed equal the stored ones; all evidence exists and was public in time."""
    assert claims.problems() == []


def test_uncheckable_verdicts_carry_no_confidence_and_the_rest_do(register):
    unrated = register["verdict_at_publication"].eq("Not checkable") & register["verdict_at_cutoff"].eq("Not checkable")
    assert register.loc[unrated, "confidence"].isna().all()
    assert register.loc[~unrated, "confidence"].notna().all()


def test_a_rule_judges_every_quantitative_claim(register):
    quantitative = register[register["claim_type"] == "quantitative"]
    assert len(quantitative) == 2 and (quantitative["judged_by"] != "analyst").all()
    assert set(register["judged_by"]) - {"analyst"} <= set(claims.RULES)


def test_known_verdicts(register):
    v = register.set_index("claim_id")[["verdict_at_publication", "verdict_at_cutoff"]]
    assert v.loc["A01"].tolist() == ["Not checkable", "Supported"]  # a prediction that came true
    assert v.loc["B23"].tolist() == ["Supported", "Supported"]  # about 11,000 in Kursk
    assert v.loc["B12"].tolist() == ["Contradicted", "Contradicted"]  # the double freeze was China's idea
    assert v.loc["C22"].tolist() == ["Contradicted", "Contradicted"]  # "no evidence they fight"
    assert v.loc["B19"].tolist() == ["Partly supported", "Partly supported"]


def test_the_troop_rule_looks_only_at_what_was_public():
    early = rules.troops_about_11000_in_kursk(pd.Timestamp("2024-11-04"))
    assert early.verdict == "Supported" and {k for _, k in early.evidence} == {"T013", "T016"}
    assert rules.troops_about_11000_in_kursk(pd.Timestamp("2024-10-31")).verdict == "Not enough evidence"


def test_combat_rule_changes_with_the_date():
    assert rules.north_korean_combat_acknowledged(pd.Timestamp("2024-10-17")).verdict == "Not enough evidence"
    assert rules.north_korean_combat_acknowledged(pd.Timestamp("2025-02-28")).verdict == "Partly supported"
    assert rules.north_korean_combat_acknowledged(pd.Timestamp("2025-04-28")).verdict == "Contradicted"


def test_a_claim_that_they_are_not_fighting_falls_with_the_first_report_of_combat():
    """'No solid evidence shows them fighting' (C22) or 'learning without direct involvement' (C12)
    is contradicted by governments' reports of combat, admitted or not; only deniability (C23)
    holds in part until Moscow and Pyongyang admit it."""
    before = rules.north_korean_combat_reported(pd.Timestamp("2024-10-17"))
    assert before.verdict == "Supported" and before.evidence == ()
    reported = rules.north_korean_combat_reported(pd.Timestamp("2025-02-28"))
    assert reported.verdict == "Contradicted" and reported.evidence == (("milestones", "E032"),)
    admitted = rules.north_korean_combat_reported(pd.Timestamp("2026-01-05"))
    assert admitted.verdict == "Contradicted" and {k for _, k in admitted.evidence} == {"E032", "E048", "E049"}
    judged_by = claims.register().set_index("claim_id")["judged_by"]
    assert judged_by[["C12", "C22"]].eq("north_korean_combat_reported").all()
    assert judged_by["C23"] == "north_korean_combat_acknowledged"


@pytest.mark.parametrize(
    "figure, verdict", [(11000, "Supported"), (12500, "Partly supported"), (20000, "Contradicted")]
)
def test_figure_against_estimates(figure, verdict):
    rows = pd.DataFrame(
        {
            "figure_low": pd.array([10000, None, None], dtype="Float64"),
            "figure_high": pd.array([None, None, None], dtype="Float64"),
            "figure_point": pd.array([None, 11000, 10900], dtype="Float64"),
            "qualifier": pd.array(["at least", "about", "around"], dtype="string"),
        }
    )
    assert claims.figure_against_estimates(figure, rows) == verdict
    assert claims.figure_against_estimates(figure, rows.iloc[0:0]) == "Not enough evidence"


def test_evidence_published_after_the_essay_is_refused(register):
    frame = register.copy()
    i = frame.index[frame["claim_id"] == "C19"][0]
    frame.loc[i, "evidence_at_publication"] = "context_facts:F056"  # KCNA, 17 March 2026
    found = [str(p) for p in claims.problems(frame)]
    assert any(
        "C19: evidence context_facts:F056 became public on 2026-03-17, after the date the publication verdict "
        "is given for (2026-01-05)" in p
        for p in found
    ), found


def test_unknown_evidence_and_rule_are_named(register):
    frame = register.copy()
    i = frame.index[frame["claim_id"] == "B12"][0]
    frame.loc[i, "evidence_at_cutoff"] = "context_facts:F999"
    j = frame.index[frame["claim_id"] == "B08"][0]
    frame.loc[j, "judged_by"] = "no_such_rule"
    found = [str(p) for p in claims.problems(frame)]
    assert any(
        "B12: evidence context_facts:F999 does not exist" in p and "field 'evidence_at_cutoff'" in p for p in found
    ), found
    assert any("B08: judged_by names no rule: 'no_such_rule'" in p for p in found), found


def test_a_data_change_that_flips_a_verdict_fails_loudly(project_copy):
    """Raise the Pentagon's Kursk figure far above 11,000: B23 can no longer stand unreviewed."""
    edit_table(
        project_copy,
        "troop_estimates",
        lambda lines: [
            line.replace(",11000,", ",40000,", 1)
            if line.startswith(("T016,", "T020,"))
            else line.replace(",10900,", ",40000,", 1)
            if line.startswith("T021,")
            else line.replace(",10000,,", ",35000,,", 1)
            if line.startswith(("T015,", "T019,", "T018,", "T013,"))
            else line
            for line in lines
        ],
    )
    found = [str(p) for p in claims.problems()]
    assert any(
        p.startswith("data/claims.csv, row ")
        and "B23: the register says 'Supported' as of publication, the data now give 'Contradicted'" in p
        for p in found
    ), found


def test_counts_by_essay_and_verdict(register):
    from nkbook.analysis import findings

    table = findings.tallies(register, by="label").query("when == 'cutoff'")
    assert table["claims"].sum() == len(register)
    assert table.set_index(["label", "verdict"]).loc[("B", "Contradicted"), "claims"] == 4


# ---------------------------------------------------------------- ClaimReview JSON-LD

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def check_claim_review(review: dict) -> None:
    """The fields a ClaimReview needs, ratings within the scale and ISO 8601 dates."""
    assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
    for field in ("url", "claimReviewed", "itemReviewed", "author", "datePublished", "reviewRating"):
        assert review.get(field), field
    assert ISO_DAY.match(review["datePublished"])
    rating = review["reviewRating"]
    assert rating["@type"] == "Rating" and rating["alternateName"] in claims.VERDICTS
    assert rating["worstRating"] == schema_org.WORST_RATING and rating["bestRating"] == schema_org.BEST_RATING
    if rating["alternateName"] in schema_org.RATINGS:
        assert schema_org.WORST_RATING <= rating["ratingValue"] <= schema_org.BEST_RATING
    else:
        assert "ratingValue" not in rating
    item = review["itemReviewed"]
    assert item["@type"] == "Claim" and item["appearance"]["url"].startswith("https://")
    if "datePublished" in item:
        assert ISO_DAY.match(item["datePublished"])
    assert review["url"].startswith("https://") and "#claim-" in review["url"]


def test_claim_reviews_are_valid(register):
    reviews = [
        schema_org.claim_review(row, "https://example.org/book/", "The authors") for _, row in register.iterrows()
    ]
    for review in reviews:
        check_claim_review(review)
    by_id = {r["identifier"]: r for r in reviews}
    assert by_id["B12"]["reviewRating"]["ratingValue"] == 1
    assert by_id["A14"]["reviewRating"]["alternateName"] == "Not checkable"
    assert by_id["B23"]["itemReviewed"]["datePublished"] == "2025-02-28"
    assert "datePublished" not in by_id["A01"]["itemReviewed"]  # essay A is undated
    assert by_id["B23"]["url"] == "https://example.org/book/book/claims-b.html#claim-b23"


def test_jsonld_script_parses_and_cannot_close_early(register):
    reviews = [schema_org.claim_review(row, "https://example.org", "X") for _, row in register.head(3).iterrows()]
    reviews[0]["claimReviewed"] = "a </script> inside"
    html = schema_org.jsonld_script(reviews)
    assert html.count("</script>") == 1
    body = html.split("\n", 1)[1].rsplit("\n", 1)[0]
    assert json.loads(body)[0]["claimReviewed"] == "a </script> inside"


def test_register_records_are_plain_json(register):
    records = claims.register_records(register)
    text = json.dumps(records)
    assert json.loads(text)[0]["claim_id"] == register["claim_id"].iloc[0]
    assert records[0]["judged_as_of"] == "2024-10-17"


def test_a_date_known_only_to_the_month_counts_from_the_months_end():
    """X021 was reported some time in November 2024 (stored as the 1st): not public on the 15th."""
    on_15th = set(claims.public_by("reported_transfers_to_dprk", "2024-11-15")["report_id"])
    assert {"X017", "X022"} <= on_15th and "X021" not in on_15th
    assert "X021" in set(claims.public_by("reported_transfers_to_dprk", "2024-11-30")["report_id"])
    assert claims.evidence_rows([("reported_transfers_to_dprk", "X021")])["public_on"].iloc[0] == pd.Timestamp(
        "2024-11-30"
    )


def test_a_table_that_is_not_evidence_cannot_be_cited():
    with pytest.raises(ValueError, match="essay_stats.*not evidence"):
        claims.public_date_field("essay_stats")


def test_every_evidence_table_is_presented_by_the_chapter_its_cards_link_to():
    """A card links each evidence row to a chapter: that chapter must load the table."""
    from conftest import ROOT
    from nkbook.present import claim_pages

    assert set(claims.EVIDENCE_TABLES) <= set(claim_pages.CHAPTER_OF)
    for table in claims.EVIDENCE_TABLES:
        chapter = ROOT / "book" / f"{claim_pages.CHAPTER_OF[table]}.ipynb"
        code = " ".join(
            "".join(c["source"])
            for c in json.loads(chapter.read_text(encoding="utf-8"))["cells"]
            if c["cell_type"] == "code"
        )
        assert f'load("{table}")' in code, (table, chapter.name)


def test_a_table_without_a_card_summary_is_refused(register):
    frame = register.copy()
    frame.loc[frame.index[0], "evidence_at_cutoff"] = "dprk_trade:R021"
    found = [str(p) for p in claims.problems(frame)]
    assert any("A01: dprk_trade:R021 is not in an evidence table" in p for p in found), found


# ------------------------------------------------------------ the re-audit of 6 December 2026

_RESTS_ON_A_READING = re.compile(r"the verdict reads|rests on (?:a|that) reading")


def test_a_verdict_that_rests_on_reading_an_ambiguous_sentence_is_not_high(register):
    """The Method chapter: medium when the verdict rests on a reading of an ambiguous sentence.
    A justification that says so cannot carry high confidence."""
    said = register[register["justification"].str.contains(_RESTS_ON_A_READING)]
    assert {"A11", "A21", "C07", "C22"} <= set(said["claim_id"])
    assert said["confidence"].ne("high").all(), said.loc[said["confidence"].eq("high"), "claim_id"].tolist()


def test_internal_slips_are_registered_and_judged_by_no_evidence(register):
    """Wrong terms and reversed logic that the essays' own text shows are claims of type
    'internal': recorded, not rated, and resting on no table."""
    internal = register[register["claim_type"] == "internal"].set_index("claim_id")
    assert set(internal.index) == {"A22", "B35", "C14", "C26", "C27", "C28"}
    assert internal["verdict_at_publication"].eq("Not checkable").all()
    assert internal["verdict_at_cutoff"].eq("Not checkable").all()
    assert internal[["confidence", "evidence_at_publication", "evidence_at_cutoff"]].isna().all().all()


def test_verdicts_added_by_the_reaudit(register):
    v = register.set_index("claim_id")[["verdict_at_publication", "verdict_at_cutoff", "confidence"]]
    assert v.loc["B37"].tolist() == ["Partly supported", "Supported", "high"]  # deployment under the treaty
    assert v.loc["A21"].tolist() == ["Partly supported", "Partly supported", "medium"]  # China, India abstain
    assert v.loc["C29"].tolist() == ["Not enough evidence", "Not enough evidence", "low"]  # unattributed quotes
    assert (register["reviewed_on"] == pd.Timestamp("2026-12-06")).all()


def test_the_pages_claim_reviews_point_at_the_claim_in_this_edition(register):
    """Each review's ``url`` is its claim's card in this edition: ``<html.baseurl><version>/book/...``."""
    import yaml

    import nkbook
    from conftest import ROOT
    from nkbook.present import claim_pages

    base = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["html"]["baseurl"]
    by_id = {r["identifier"]: r for r in claim_pages.reviews(register)}
    assert by_id["B23"]["url"] == f"{base}{nkbook.__version__}/book/claims-b.html#claim-b23"
    assert all(f"/{nkbook.__version__}/book/claims-" in r["url"] for r in by_id.values())
    download = json.loads(claim_pages.json_download(register))
    assert {c["claim_review"]["url"] for c in download["claims"]} == {r["url"] for r in by_id.values()}
