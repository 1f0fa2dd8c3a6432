"""What the book found, as the reader reads it: tallies in words, the list of the claims a chapter
of evidence bears on, and the closing section of those chapters.

The numbers come from :mod:`nkbook.analysis.findings`; the charts of the verdicts are in
:mod:`nkbook.present.plots.findings`.
"""

from __future__ import annotations

from nkbook.analysis import claims
from nkbook.analysis.findings import chapter_summary, chapter_tables_of_claim, claims_of_chapter, essay_dates, tally
from nkbook.present import claim_pages
from nkbook.present.templating import render

#: How the prose names each verdict, in a list of counts ("3 supported, 1 contradicted ...").
VERDICT_PHRASES = {
    "Supported": "supported",
    "Partly supported": "partly supported",
    "Contradicted": "contradicted",
    "Not enough evidence": "not enough evidence",
    "Not checkable": "not checkable",
}


def tally_phrase(counts: dict[str, int]) -> str:
    """``5 supported, 3 partly supported, none contradicted, 7 with not enough evidence and 5 not
    checkable``: a tally in words, every verdict named so that a zero is said, not hidden."""
    parts = []
    for verdict in claims.VERDICTS:
        n = counts.get(verdict, 0)
        words = VERDICT_PHRASES[verdict]
        if verdict == "Not enough evidence":
            parts.append(f"{n:,} with not enough evidence" if n else "none with not enough evidence")
        else:
            parts.append(f"{n:,} {words}" if n else f"none {words}")
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def essay_tallies(register) -> dict[str, object]:
    """Per essay, as the first page glues them: its date (``a_date``), claims (``n_a``) and verdicts
    in words at the cut-off (``a_now``) and at its date (``a_then``: "the same" when none moved)."""
    out: dict[str, object] = {}
    for label, date in essay_dates(register).items():
        k = label.lower()
        then, later = tally(register, label, "publication"), tally(register, label, "cutoff")
        out[f"{k}_date"] = date
        out[f"n_{k}"] = int((register["label"] == label).sum())
        out[f"{k}_now"] = tally_phrase(later)
        out[f"{k}_then"] = "the same" if then == later else tally_phrase(then)
    return out


def chapter_claims_html(chapter: str, register=None) -> str:
    """The closing section's list: each claim the chapter bears on, its verdicts then and now,
    and a link to its card."""
    register = claims.register() if register is None else register
    by_id = register.set_index("claim_id", drop=False)
    rows = [
        {
            "claim_id": cid,
            "href": claim_pages.card_href(cid),
            "essay": by_id.loc[cid, "label"],
            "paraphrase": by_id.loc[cid, "paraphrase"],
            "badge_then": claim_pages.badge(by_id.loc[cid, "verdict_at_publication"]),
            "badge_now": claim_pages.badge(by_id.loc[cid, "verdict_at_cutoff"]),
            "tables": chapter_tables_of_claim(cid, chapter, register),
        }
        for cid in claims_of_chapter(chapter, register)
    ]
    return render("findings-claims.html.j2", chapter=chapter, rows=rows, title=claim_pages.CHAPTER_TITLES[chapter])


def closing_section(chapter: str):
    """The end of a chapter of evidence ("What this means for the essays"): glues the numbers its
    prose quotes (``fx_n``, ``fx_essays``, ``fx_now``) and returns the table of the claims it bears on.
    One call in each of the four chapters, so that they say it the same way."""
    from IPython.display import HTML

    from nkbook.present.glue import glue_md

    register = claims.register()
    summary = chapter_summary(chapter, register)
    parts = [f"{n:,} from Essay {label}" for label, n in summary["per_essay"].items()]
    glue_md("fx_n", summary["n"])
    glue_md("fx_now", tally_phrase(summary["now"]))
    glue_md("fx_essays", parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1])
    return HTML(chapter_claims_html(chapter, register))
