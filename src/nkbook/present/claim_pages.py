"""The claims register as a reader sees it: a filterable table, one card per claim, downloads.

The HTML is made from the templates ``claim-*.html.j2`` (see :mod:`nkbook.present.templating`), and
styled by ``static/nkbook-claims.css``. Everything here returns plain HTML with stable ids (``claim-b23``), so that a chapter's stored
outputs are the same on every run and a link to a claim keeps working. The filter of the table
is a script shipped with the book (``static/nkbook-claims.js``); without JavaScript the
whole table shows.
"""

from __future__ import annotations

import json

import pandas as pd

from nkbook import __version__
from nkbook.analysis import claims
from nkbook.analysis.findings import CHAPTER_OF, verdict_moves
from nkbook.core.formats import day
from nkbook.core.paths import book_config, data_dir
from nkbook.core.releases import edition_url
from nkbook.data import coverage, package
from nkbook.data.provenance import sources
from nkbook.present import schema_org
from nkbook.present.templating import environment, render

#: Colours of the verdicts (Okabe–Ito, greys for the two that are not about truth).
VERDICT_COLOURS = {
    "Supported": "#009E73",
    "Partly supported": "#E69F00",
    "Contradicted": "#D55E00",
    "Not enough evidence": "#8C8C8C",
    "Not checkable": "#C8C8C8",
}
CHAPTER_TITLES = {
    "sanctions": "Sanctions",
    "troops": "Boots on the ground",
    "munitions": "Shells, missiles and guns",
    "flows": "What comes back",
    "essays": "The three essays",
    "method": "Method",
    "bloc": "Bloc or bargain?",
}
DOWNLOAD_DIR = "downloads"  # under the book's _static folder (not "data": _config.yml excludes that name)


def review_author() -> str:
    cfg = book_config()
    return f"{cfg['author']} of {cfg['title']}"


def reviews(register: pd.DataFrame) -> list[dict]:
    """The claims' ClaimReview records, each pointing at its claim in this edition
    (``<html.baseurl><version>/book/claims-b.html#claim-b19``)."""
    base, author = edition_url(), review_author()
    return [schema_org.claim_review(row, base, author) for _, row in register.iterrows()]


def slug(verdict: str) -> str:
    return verdict.lower().replace(" ", "-")


def badge(verdict: str) -> str:
    return render("verdict-badge.html.j2", slug=slug(verdict), verdict=verdict)


def anchor(claim_id: str) -> str:
    return f"claim-{claim_id.lower()}"


def card_href(claim_id: str) -> str:
    """The address of a claim's card from a page in ``book/``."""
    return f"{schema_org.claim_page(claim_id)}.html#{anchor(claim_id)}"


def permalink(claim_id: str) -> str:
    """A claim's address in this edition, which does not change when a later edition is published:
    ``<html.baseurl><version>/book/claims-b.html#claim-b19``."""
    return schema_org.claim_url(edition_url(), claim_id)


def locator_text(row) -> str:
    return f"Essay {row['label']}, paragraph {row['paragraph']}, sentence {row['sentence']}"


def when_text(row, when: str) -> str:
    """``as of publication, 28 February 2025`` (or, for an undated essay, the date its text allows)."""
    if when == "cutoff":
        return "as of the " + coverage.span_text(row["evidence_through"], row["searched_through"])
    basis = "publication" if pd.notna(row["published_on"]) else "the latest date the undated text allows"
    return f"as of {basis}, {day(row['judged_as_of'])}"


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _short(text: str, words: int = 12) -> str:
    """The first words of a paraphrase, for the list of cards at the top of a page."""
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def _evidence_list(refs_text) -> str:
    """The rows a verdict rests on, each line led by its source (publisher and date public)."""
    refs = claims.parse_refs(refs_text)
    rows = []
    if refs:
        known = sources()
        for r in claims.evidence_rows(refs).itertuples():
            src, chapter = known[r.source_id], CHAPTER_OF.get(r.table)
            rows.append(
                {
                    "url": src.url,
                    "publisher": src.publisher,
                    "public_on": day(r.public_on),
                    "describes": r.describes,
                    "chapter": chapter,
                    "chapter_title": CHAPTER_TITLES.get(chapter, ""),
                    "table": r.table,
                    "key": r.key,
                }
            )
    return render("claim-evidence.html.j2", rows=rows)


def _view(row) -> dict:
    """What the templates show of one register row."""
    cid = row["claim_id"]
    has_evidence_then = pd.notna(row["evidence_at_publication"])
    return {
        "claim_id": cid,
        "anchor": anchor(cid),
        "label": row["label"],
        "claim_type": row["claim_type"],
        "topic": row["topic"],
        "paraphrase": row["paraphrase"],
        "short": _short(row["paraphrase"]),
        "paragraph": row["paragraph"],
        "sentence": row["sentence"],
        "locator": locator_text(row),
        "href": card_href(cid),
        "then_slug": slug(row["verdict_at_publication"]),
        "now_slug": slug(row["verdict_at_cutoff"]),
        "badge_then": badge(row["verdict_at_publication"]),
        "badge_now": badge(row["verdict_at_cutoff"]),
        "confidence": row["confidence"] if pd.notna(row["confidence"]) else "–",
        "test": row["test"],
        "justification": row["justification"],
        "rule": row["judged_by"] if row["judged_by"] != "analyst" else "",
        "when_then": _first_upper(when_text(row, "publication")),
        "when_now": _first_upper(when_text(row, "cutoff")),
        "when_then_lower": when_text(row, "publication"),
        "when_now_lower": when_text(row, "cutoff"),
        "same_evidence": has_evidence_then and row["evidence_at_publication"] == row["evidence_at_cutoff"],
        "reviewed": day(row["reviewed_on"]),
        "span_now": coverage.span_text(row["evidence_through"], row["searched_through"]),
        "verdict_then": row["verdict_at_publication"],
        "verdict_now": row["verdict_at_cutoff"],
    }


_JUDGEMENT_WORDS = {
    "verdict_at_publication": "verdict then",
    "verdict_at_cutoff": "verdict now",
    "confidence": "confidence",
}


def _text_or(value, default: str) -> str:
    return default if value is None or pd.isna(value) or not str(value).strip() else str(value)


def history_view(row) -> dict:
    """A claim's history for its card: how each earlier edition judged it, a one-line summary
    (new, unchanged, or what changed, old -> new) and the reason for a change (``change_reason``)."""
    past = claims.history(row["claim_id"])
    changed = claims.changed_fields(row, past)
    entries = [
        {
            "edition": h["edition"],
            "reviewed": day(h["reviewed_on"]),
            "then": h["verdict_at_publication"],
            "now": h["verdict_at_cutoff"],
            "confidence": _text_or(h["confidence"], "not rated"),
            "cutoff": h["cutoff_as_stated"],
        }
        for h in past
    ]
    if not past:
        summary = "New in this edition: no earlier edition judged this claim"
    elif changed:
        last = past[-1]
        summary = f"Changed since edition {last['edition']}: " + "; ".join(
            f"{_JUDGEMENT_WORDS[f]} {_text_or(last[f], 'not rated')} → {_text_or(row[f], 'not rated')}" for f in changed
        )
    else:
        summary = f"Unchanged since edition {past[-1]['edition']}"
    return {
        "entries": entries,
        "summary": summary,
        "changed": bool(changed),
        "reason": _text_or(row.get("change_reason"), ""),
    }


def card(row) -> str:
    """One claim: paraphrase, where it stands, both verdicts, confidence, its history, justification,
    evidence."""
    view = _view(row)
    view["history"] = history_view(row)
    view["permalink"], view["edition"] = permalink(view["claim_id"]), __version__
    if view["confidence"] == "–":
        view["confidence"] = "not rated (not checkable)"
    view["evidence_now"] = _evidence_list(row["evidence_at_cutoff"])
    view["evidence_then"] = "" if view["same_evidence"] else _evidence_list(row["evidence_at_publication"])
    return render("claim-card.html.j2", anchor=view["anchor"], c=view)


def cards(register: pd.DataFrame) -> str:
    return '<div class="nkb-claims">' + "".join(card(row) for _, row in register.iterrows()) + "</div>"


def card_index(register: pd.DataFrame) -> str:
    """The list of a page's cards, each with its verdicts, linking to the card."""
    return render("claim-index.html.j2", rows=[_view(row) for _, row in register.iterrows()])


def essay_page(register: pd.DataFrame) -> str:
    """The cards of some claims (one essay's), listed first, with their ClaimReview JSON-LD."""
    return card_index(register) + cards(register) + schema_org.jsonld_script(reviews(register))


def table(register: pd.DataFrame) -> str:
    """The whole register in one table, with a search and filters by essay, type and both verdicts."""
    types = [t for t in claims.CLAIM_TYPES if t in set(register["claim_type"])]

    def verdicts(column):
        return [(slug(v), v) for v in claims.VERDICTS if v in set(register[column])]

    filters = [
        {"name": "essay", "label": "Essay", "options": [(e, e) for e in sorted(register["label"].unique())]},
        {"name": "type", "label": "Type", "options": [(t, t) for t in types]},
        {"name": "then", "label": "Verdict then", "options": verdicts("verdict_at_publication")},
        {"name": "now", "label": "Verdict now", "options": verdicts("verdict_at_cutoff")},
    ]
    return _register_table(
        register,
        "The register: every claim of the three essays with its verdicts then and now",
        table_id="nkb-register",
        filters=filters,
    )


def _register_table(register: pd.DataFrame, caption: str, table_id: str = "", filters: list | None = None) -> str:
    """Claims as table rows linking to their cards; the filterable register gets an id and filters."""
    rows = [_view(r) for _, r in register.iterrows()]
    return render("claim-register.html.j2", rows=rows, caption=caption, table_id=table_id, filters=filters or [])


def claims_table(register: pd.DataFrame, claim_ids, caption: str) -> str:
    """The named claims, in the given order, as in the register table (links to their cards)."""
    ids = list(claim_ids)
    return _register_table(register.set_index("claim_id", drop=False).loc[ids], caption)


def downloads(register: pd.DataFrame) -> str:
    return render("claim-downloads.html.j2", folder=DOWNLOAD_DIR, n=len(register))


def json_download(register: pd.DataFrame) -> str:
    """The register as JSON: every record with its ClaimReview, in a stable layout."""
    records = claims.register_records(register)
    for rec, review in zip(records, reviews(register)):
        rec["claim_review"] = review
    doc = {
        "title": "Claims register",
        "evidence_through": package().get("x-evidence-through"),
        "searched_through": package().get("x-searched-through"),
        "verdict_scale": list(claims.VERDICTS),
        "claims": records,
    }
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


# --------------------------------------------------------------------------- the pages of cards, one per essay


def short_title(title: str) -> str:
    """An essay's title without its subtitle (what follows the first colon)."""
    return title.split(":", 1)[0].strip()


def essay_claims(label: str, register: pd.DataFrame | None = None) -> pd.DataFrame:
    """One essay's claims, in the order of the register."""
    register = claims.register() if register is None else register
    essay = register[register["label"] == label]
    if essay.empty:
        raise ValueError(
            f"no claims for essay {label!r} in data/claims.csv (labels: {sorted(register['label'].unique())})"
        )
    return essay


def card_page_intro(essay: pd.DataFrame) -> str:
    """The Markdown that opens an essay's page of cards: its claims, the dates of the verdicts,
    and what the table of verdicts then and now shows (``templates/claim-page-intro.md.j2``)."""
    first = essay.iloc[0]
    return (
        environment()
        .overlay(autoescape=False)
        .get_template("claim-page-intro.md.j2")
        .render(
            n=f"{len(essay):,}",
            label=first["label"],
            title=short_title(first["title"]),
            citation=first["essay_source_id"],
            as_of=when_text(first, "publication"),
            cutoff=claims.cutoff_text(),
        )
    )


def card_page_inputs(essay: pd.DataFrame) -> list[str]:
    """The files an essay's page of cards is made from: the register, the essays, the data
    package and every table its evidence (then and now) points at."""
    tables = {"claims", "essays"}
    for column in ("evidence_at_publication", "evidence_at_cutoff"):
        for refs in essay[column]:
            tables.update(table for table, _ in claims.parse_refs(refs))
    return [str(data_dir() / f"{t}.csv") for t in sorted(tables)] + [str(data_dir() / "datapackage.json")]


def verdict_moves_table(essay: pd.DataFrame) -> str:
    """The essay's claims by verdict at publication (rows) and at the cut-off (columns), as a table."""
    from nkbook.present.glue import show_table

    table = show_table(
        verdict_moves(essay), caption="Verdicts as of publication (rows) and as of the evidence cut-off (columns)"
    )
    return table.data
