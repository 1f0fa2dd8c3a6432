"""The claims register as a reader sees it: a filterable table, one card per claim, downloads.

Everything here returns plain HTML with stable ids (``claim-b23``), so that a chapter's stored
outputs are the same on every run and a link to a claim keeps working. The filter of the table
is a script shipped with the book (``static/nkbook-claims.js``); without JavaScript the
whole table shows.
"""
from __future__ import annotations

import html
import json

import pandas as pd

from . import claims
from .paths import book_config
from .provenance import sources
from .text import day

#: Colours of the verdicts (Okabe–Ito, greys for the two that are not about truth).
VERDICT_COLOURS = {
    "Supported": "#009E73",
    "Partly supported": "#E69F00",
    "Contradicted": "#D55E00",
    "Not enough evidence": "#8C8C8C",
    "Not checkable": "#C8C8C8",
}
#: Where each evidence table is presented in the book.
CHAPTER_OF = {
    "unsc_dprk_actions": "sanctions", "us_dprk_russia_designations": "sanctions", "petroleum_supply": "sanctions",
    "troop_estimates": "troops", "casualty_estimates": "troops", "milestones": "troops",
    "munitions_transfers": "munitions",
    "reported_transfers_to_dprk": "flows", "dprk_trade": "flows",
    "essay_works_cited": "essays", "context_facts": "method",
    "unga_ideal_points": "bloc", "unga_agreement": "bloc", "unga_ukraine_resolutions": "bloc",
    "unga_ukraine_votes": "bloc", "regimes_of_the_world": "bloc", "freedom_house": "bloc",
}
CHAPTER_TITLES = {"sanctions": "Sanctions", "troops": "Boots on the ground", "munitions": "Shells, missiles and guns",
                  "flows": "What comes back", "essays": "The three essays", "method": "Method",
                  "bloc": "Bloc or bargain?"}
DOWNLOAD_DIR = "downloads"  # under the book's _static folder (not "data": _config.yml excludes that name)


def site_url() -> str:
    """Where the book is published (``html.baseurl`` of ``_config.yml``)."""
    return book_config()["html"]["baseurl"]


def review_author() -> str:
    cfg = book_config()
    return f"{cfg['author']} of {cfg['title']}"


def reviews(register: pd.DataFrame) -> list[dict]:
    """The claims' ClaimReview records, pointing at the book's address."""
    base, author = site_url(), review_author()
    return [claims.claim_review(row, base, author) for _, row in register.iterrows()]


def slug(verdict: str) -> str:
    return verdict.lower().replace(" ", "-")


def badge(verdict: str) -> str:
    return f'<span class="nkb-verdict nkb-verdict-{slug(verdict)}">{html.escape(verdict)}</span>'


def anchor(claim_id: str) -> str:
    return f"claim-{claim_id.lower()}"


def locator_text(row) -> str:
    return f"Essay {row['label']}, paragraph {row['paragraph']}, sentence {row['sentence']}"


def when_text(row, when: str) -> str:
    """``as of publication, 28 February 2025`` (or, for an undated essay, the date its text allows)."""
    if when == "cutoff":
        return f"as of the data cut-off, {day(row['cutoff'])}"
    basis = "publication" if pd.notna(row["published_on"]) else "the latest date the undated text allows"
    return f"as of {basis}, {day(row['judged_as_of'])}"


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _evidence_list(refs_text) -> str:
    refs = claims.parse_refs(refs_text)
    if not refs:
        return '<p class="nkb-evidence-none">No data row: the verdict rests on the absence of evidence or on the essay\'s own wording.</p>'
    rows = claims.evidence_rows(refs)
    known = sources()
    items = []
    for r in rows.itertuples():
        src = known[r.source_id]
        chapter = CHAPTER_OF.get(r.table)
        where = (f' · <a href="{chapter}.html">{html.escape(CHAPTER_TITLES[chapter])}</a>' if chapter else "")
        items.append(
            f'<li><code>{html.escape(r.table)}:{html.escape(r.key)}</code> {html.escape(r.describes)} '
            f'<span class="nkb-evidence-source">(<a href="{html.escape(src.url, quote=True)}">{html.escape(src.publisher)}</a>, '
            f'public {day(r.public_on)}{where})</span></li>'
        )
    return '<ul class="nkb-evidence">' + "".join(items) + "</ul>"


def card(row) -> str:
    """One claim: paraphrase, where it stands, both verdicts, confidence, justification, evidence."""
    cid = row["claim_id"]
    conf = row["confidence"] if pd.notna(row["confidence"]) else "not rated (not checkable)"
    judged = "computed by the rule <code>" + html.escape(row["judged_by"]) + "</code>" if row["judged_by"] != "analyst" else "analyst's judgement"
    same = row["evidence_at_publication"] == row["evidence_at_cutoff"] if pd.notna(row["evidence_at_publication"]) else False
    evidence = (
        f"<p><strong>Evidence</strong> (the same at both dates):</p>{_evidence_list(row['evidence_at_cutoff'])}" if same else
        f"<p><strong>Evidence {html.escape(when_text(row, 'publication'))}:</strong></p>{_evidence_list(row['evidence_at_publication'])}"
        f"<p><strong>Evidence {html.escape(when_text(row, 'cutoff'))}:</strong></p>{_evidence_list(row['evidence_at_cutoff'])}"
    )
    return (
        f'<section class="nkb-claim" id="{anchor(cid)}" data-essay="{row["label"]}" data-type="{row["claim_type"]}" '
        f'data-verdict="{slug(row["verdict_at_cutoff"])}">'
        f'<h3 class="nkb-claim-title"><a class="nkb-claim-link" href="#{anchor(cid)}">{cid}</a> {html.escape(row["paraphrase"])}</h3>'
        f'<p class="nkb-claim-meta">{html.escape(locator_text(row))} · {html.escape(row["claim_type"])} · {html.escape(row["topic"])}</p>'
        f'<dl class="nkb-claim-verdicts">'
        f'<dt>{html.escape(_first_upper(when_text(row, "publication")))}</dt><dd>{badge(row["verdict_at_publication"])}</dd>'
        f'<dt>{html.escape(_first_upper(when_text(row, "cutoff")))}</dt><dd>{badge(row["verdict_at_cutoff"])}</dd>'
        f'<dt>Confidence</dt><dd>{html.escape(conf)}; {judged}</dd></dl>'
        f'<p><strong>What would settle it:</strong> {html.escape(row["test"])}</p>'
        f'<p><strong>Why:</strong> {html.escape(row["justification"])}</p>'
        f"{evidence}</section>"
    )


def cards(register: pd.DataFrame) -> str:
    return '<div class="nkb-claims">' + "".join(card(row) for _, row in register.iterrows()) + "</div>"


def essay_page(register: pd.DataFrame) -> str:
    """The cards of some claims (one essay's) with their ClaimReview JSON-LD."""
    return cards(register) + claims.jsonld_script(reviews(register))


def _options(name: str, label: str, values) -> str:
    opts = "".join(f'<option value="{html.escape(v, quote=True)}">{html.escape(t)}</option>' for v, t in values)
    return (f'<label class="nkb-filter">{html.escape(label)} <select data-filter="{name}">'
            f'<option value="">all</option>{opts}</select></label>')


def table(register: pd.DataFrame) -> str:
    """The whole register in one table, with filters by essay, type and verdict (at the cut-off)."""
    essays = sorted(register["label"].unique())
    types = [t for t in claims.CLAIM_TYPES if t in set(register["claim_type"])]
    verdicts = [v for v in claims.VERDICTS if v in set(register["verdict_at_cutoff"])]
    controls = (
        '<div class="nkb-filters" data-target="nkb-register">'
        + _options("essay", "Essay", [(e, e) for e in essays])
        + _options("type", "Type", [(t, t) for t in types])
        + _options("verdict", "Verdict now", [(slug(v), v) for v in verdicts])
        + '<span class="nkb-filter-count" aria-live="polite"></span></div>'
    )
    return controls + _register_table(register, table_id="nkb-register")


def _register_table(register: pd.DataFrame, table_id: str | None = None) -> str:
    """Claims as table rows linking to their cards; the filterable register gets an id."""
    head = "".join(f"<th scope=\"col\">{h}</th>" for h in
                   ("Claim", "Essay, place", "Our paraphrase", "Type", "Verdict then", "Verdict now", "Confidence"))
    body = []
    for _, r in register.iterrows():
        body.append(
            f'<tr data-essay="{r["label"]}" data-type="{r["claim_type"]}" data-verdict="{slug(r["verdict_at_cutoff"])}">'
            f'<td><a href="{claims.claim_page(r["claim_id"])}.html#{anchor(r["claim_id"])}">{r["claim_id"]}</a></td>'
            f'<td>{r["label"]}, p{r["paragraph"]}.s{r["sentence"]}</td>'
            f'<td>{html.escape(r["paraphrase"])}</td><td>{html.escape(r["claim_type"])}</td>'
            f'<td>{badge(r["verdict_at_publication"])}</td><td>{badge(r["verdict_at_cutoff"])}</td>'
            f'<td>{html.escape(r["confidence"]) if pd.notna(r["confidence"]) else "–"}</td></tr>'
        )
    attributes = f'class="table nkb-table nkb-register" id="{table_id}"' if table_id else 'class="table nkb-table"'
    return (f'<div class="nkb-table-wrap"><table {attributes}>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def claims_table(register: pd.DataFrame, claim_ids) -> str:
    """The named claims, in the given order, as in the register table (links to their cards)."""
    ids = list(claim_ids)
    return _register_table(register.set_index("claim_id", drop=False).loc[ids])


def downloads(register: pd.DataFrame) -> str:
    n = len(register)
    return (
        '<p class="nkb-downloads">Download the register: '
        f'<a href="../_static/{DOWNLOAD_DIR}/claims.csv" download>CSV</a> (the table <code>claims</code>, {n} rows) · '
        f'<a href="../_static/{DOWNLOAD_DIR}/claims.json" download>JSON</a> (the same with each claim\'s essay, '
        'dates and schema.org ClaimReview).</p>'
    )


def json_download(register: pd.DataFrame) -> str:
    """The register as JSON: every record with its ClaimReview, in a stable layout."""
    records = claims.register_records(register)
    for rec, review in zip(records, reviews(register)):
        rec["claim_review"] = review
    doc = {"title": "Claims register", "data_cutoff": claims.cutoff().strftime("%Y-%m-%d"),
           "verdict_scale": list(claims.VERDICTS), "claims": records}
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
