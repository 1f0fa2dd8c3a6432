"""What the book found: the register's tallies per essay, the chart of them, and the claims each
chapter of evidence bears on.

The first page and the conclusions state the book's answer in prose; every number in that prose
comes from here (glued by the notebooks, never typed), so that a changed verdict in
``data/claims.csv`` changes the answer on the first page with it. The claims a chapter bears on
are those whose evidence rows come from the tables the chapter presents
(:data:`nkbook.present.claim_pages.CHAPTER_OF`), which is the same mapping the claim cards use to link
back to the chapters: the two directions cannot drift apart.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from nkbook.analysis import claims
from nkbook.core.formats import day
from nkbook.data.provenance import short_citation
from nkbook.present import claim_pages
from nkbook.present.plots import OUTLINE
from nkbook.present.templating import render

#: The chapters of evidence, in the book's order.
EVIDENCE_CHAPTERS = ("sanctions", "troops", "munitions", "flows")
#: How the prose names each verdict, in a list of counts ("3 supported, 1 contradicted ...").
VERDICT_PHRASES = {
    "Supported": "supported",
    "Partly supported": "partly supported",
    "Contradicted": "contradicted",
    "Not enough evidence": "not enough evidence",
    "Not checkable": "not checkable",
}
WHEN_LABELS = {"publication": "at publication", "cutoff": "at the data cut-off"}
#: The same, short enough for a bar's label on a phone.
WHEN_SHORT = {"publication": "publication", "cutoff": "cut-off"}
#: Label colour of the counts on the bars: black reads on every verdict colour (contrast 5:1 or more).
COUNT_COLOUR = "#000000"


def tallies(register: pd.DataFrame | None = None) -> pd.DataFrame:
    """Claims per essay, date (``publication``, ``cutoff``) and verdict, zeros included.

    One row per essay label, date and verdict of :data:`nkbook.analysis.claims.VERDICTS`, in that order,
    with the column ``claims``.
    """
    register = claims.register() if register is None else register
    rows = []
    for label in sorted(register["label"].unique()):
        mine = register[register["label"] == label]
        for when in claims.WHEN:
            counted = mine[claims.verdict_column(when)].value_counts()
            for verdict in claims.VERDICTS:
                rows.append({"label": label, "when": when, "verdict": verdict, "claims": int(counted.get(verdict, 0))})
    return pd.DataFrame(rows, columns=["label", "when", "verdict", "claims"])


def tally(register: pd.DataFrame, label: str, when: str) -> dict[str, int]:
    """``{"Supported": 5, ...}``: one essay's claims by verdict at one date, every verdict named."""
    t = tallies(register)
    t = t[(t["label"] == label) & (t["when"] == when)]
    return dict(zip(t["verdict"], t["claims"]))


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


def changed(register: pd.DataFrame) -> pd.DataFrame:
    """The claims whose verdict at the cut-off differs from their verdict at publication."""
    return register[register["verdict_at_publication"] != register["verdict_at_cutoff"]]


def essay_dates(register: pd.DataFrame) -> dict[str, str]:
    """Each essay's label and the date its claims are first judged as of, as the prose writes it."""
    first = register.drop_duplicates("label").set_index("label")
    return {label: day(r["judged_as_of"]) for label, r in first.sort_index().iterrows()}


# --------------------------------------------------------------------------- the three explanations


def explanation_figures() -> dict[str, str]:
    """The few figures the first page quotes for the three explanations, each computed as the
    chapter it comes from computes it (see *Bloc or bargain?* and *What comes back*).

    Keys: ``ag_rus_2010s`` and ``ag_chn_2010s`` (North Korea's mean voting agreement with Russia
    and with China in the General Assembly, 2010-2019), ``ag_rus_2025``; ``es1_auto_no_share``
    (share of the autocracies V-Dem classified that voted against resolution ES-11/1);
    ``summit_2023`` and ``treaty_signed`` (dates); ``launch_peak_year``, ``launch_peak`` and
    ``launch_before_invasion`` (missile launches in the CNS database).
    """
    from nkbook.analysis import voting
    from nkbook.data import load

    agreement = load("unga_agreement")

    def mean_agreement(partner: str, first: int, last: int) -> float:
        rows = agreement[(agreement["partner_iso3"] == partner) & agreement["year"].between(first, last)]
        return rows["agreement"].mean()

    es1 = voting.share_autocracies("ES-11/1")
    events = load("milestones").set_index("event_id")["event_date"]
    launches = load("missile_tests")
    per_year = launches.groupby(launches["launch_date"].dt.year).size()
    before = ((launches["launch_date"] >= "2022-01-01") & (launches["launch_date"] < "2022-02-24")).sum()
    return {
        "ag_rus_2010s": f"{mean_agreement('RUS', 2010, 2019):.2f}",
        "ag_chn_2010s": f"{mean_agreement('CHN', 2010, 2019):.2f}",
        "ag_rus_2025": f"{mean_agreement('RUS', 2025, 2025):.2f}",
        "es1_auto_no_share": f"{es1.loc['no', 'autocracies'] / es1['autocracies'].sum():.0%}",
        "summit_2023": day(events["E009"]),
        "treaty_signed": day(events["E017"]),
        "launch_peak_year": str(int(per_year.idxmax())),
        "launch_peak": f"{int(per_year.max()):,}",
        "launch_before_invasion": f"{int(before):,}",
    }


# --------------------------------------------------------------------------- the chart


def chart_data(register: pd.DataFrame) -> pd.DataFrame:
    """The tallies laid out for stacked bars: where each verdict's segment starts and ends.

    Segments of zero claims are dropped (nothing to draw or label).
    """
    t = tallies(register)
    t = t[t["claims"] > 0].copy()
    t["essay"] = "Essay " + t["label"]
    t["judged"] = t["when"].map(WHEN_LABELS)
    t["bar"] = t["essay"] + ", " + t["when"].map(WHEN_SHORT)
    t["rank"] = t["verdict"].map({v: i for i, v in enumerate(claims.VERDICTS)})
    t["when_rank"] = t["when"].map({w: i for i, w in enumerate(claims.WHEN)})
    t = t.sort_values(["label", "when_rank", "rank"])
    t["end"] = t.groupby("bar")["claims"].cumsum()
    t["start"] = t["end"] - t["claims"]
    t["middle"] = (t["start"] + t["end"]) / 2
    sources = register.drop_duplicates("label").set_index("label")["essay_source_id"].map(short_citation)
    t["source"] = "Register of claims (data/claims.csv); essay: " + t["label"].map(sources)
    return t.reset_index(drop=True)


def bar_order(register: pd.DataFrame) -> list[str]:
    return [f"Essay {label}, {WHEN_SHORT[w]}" for label in sorted(register["label"].unique()) for w in claims.WHEN]


def verdict_chart(register: pd.DataFrame) -> alt.LayerChart:
    """Verdicts per essay, at publication and at the cut-off: stacked bars with the count on each
    segment, so the figures read without hovering; the tooltip adds the source."""
    data = chart_data(register)
    order = bar_order(register)
    tooltip = [
        alt.Tooltip("essay:N", title="Essay"),
        alt.Tooltip("judged:N", title="Judged"),
        alt.Tooltip("verdict:N", title="Verdict"),
        alt.Tooltip("claims:Q", title="Claims"),
        alt.Tooltip("source:N", title="Source"),
    ]
    y = alt.Y("bar:N", title=None, sort=order, axis=alt.Axis(labelLimit=160))
    base = alt.Chart(data)
    # the dark outline of the book's verdict bars: two verdict colours have less than 3:1 contrast with the page
    bars = base.mark_bar(stroke=OUTLINE, strokeWidth=0.75).encode(
        y=y,
        x=alt.X("start:Q", title="Claims", axis=alt.Axis(tickMinStep=1)),
        x2="end:Q",
        color=alt.Color(
            "verdict:N",
            title="Verdict",
            sort=list(claims.VERDICTS),
            legend=alt.Legend(columns=1),
            scale=alt.Scale(
                domain=list(claims.VERDICTS), range=[claim_pages.VERDICT_COLOURS[v] for v in claims.VERDICTS]
            ),
        ),
        tooltip=tooltip,
    )
    labels = base.mark_text(fontSize=12, fontWeight="bold", color=COUNT_COLOUR).encode(
        y=y, x=alt.X("middle:Q"), text=alt.Text("claims:Q"), tooltip=tooltip
    )
    now = tallies(register)
    now = now[now["when"] == "cutoff"].groupby("verdict")["claims"].sum()
    description = (
        "Stacked horizontal bars, two per essay (at publication, at the data cut-off), each segment a verdict "
        "labelled with its number of claims. "
        + "; ".join(
            f"Essay {label} {WHEN_LABELS[when]}: " + tally_phrase(tally(register, label, when))
            for label in sorted(register["label"].unique())
            for when in claims.WHEN
        )
        + ". All essays at the cut-off: "
        + tally_phrase(now.to_dict())
        + "."
    )
    return alt.layer(bars, labels).properties(
        width="container",
        height=34 * len(order),
        title=alt.Title(
            "What the register finds in each essay",
            subtitle="Claims by verdict, judged with the evidence public at each essay's date and at the data cut-off",
        ),
        description=description,
    )


# --------------------------------------------------------------------------- chapters and claims


def chapter_tables(chapter: str) -> list[str]:
    """The evidence tables a chapter presents."""
    return sorted(t for t, c in claim_pages.CHAPTER_OF.items() if c == chapter)


def claims_of_chapter(chapter: str, register: pd.DataFrame | None = None) -> list[str]:
    """The claims a chapter bears on: those with an evidence row (at the cut-off) from one of
    the chapter's tables, in the register's order."""
    register = claims.register() if register is None else register
    tables = set(chapter_tables(chapter))
    return [
        row["claim_id"]
        for _, row in register.iterrows()
        if any(table in tables for table, _ in claims.parse_refs(row["evidence_at_cutoff"]))
    ]


def chapter_summary(chapter: str, register: pd.DataFrame | None = None) -> dict:
    """What a chapter's closing section says in numbers: its claims, per essay and by verdict now."""
    register = claims.register() if register is None else register
    ids = claims_of_chapter(chapter, register)
    mine = register[register["claim_id"].isin(ids)]
    now = mine["verdict_at_cutoff"].value_counts()
    return {
        "chapter": chapter,
        "ids": ids,
        "n": len(ids),
        "per_essay": {label: int(n) for label, n in mine.groupby("label").size().items()},
        "now": {v: int(now.get(v, 0)) for v in claims.VERDICTS},
        "changed": [cid for cid in changed(mine)["claim_id"]],
    }


def chapter_claims_html(chapter: str, register: pd.DataFrame | None = None) -> str:
    """The closing section's list: each claim the chapter bears on, its verdicts then and now,
    and a link to its card."""
    register = claims.register() if register is None else register
    ids = claims_of_chapter(chapter, register)
    by_id = register.set_index("claim_id", drop=False)
    rows = [
        {
            "claim_id": cid,
            "href": claim_pages.card_href(cid),
            "essay": by_id.loc[cid, "label"],
            "paraphrase": by_id.loc[cid, "paraphrase"],
            "badge_then": claim_pages.badge(by_id.loc[cid, "verdict_at_publication"]),
            "badge_now": claim_pages.badge(by_id.loc[cid, "verdict_at_cutoff"]),
            "tables": ", ".join(
                sorted(
                    {
                        t
                        for t, _ in claims.parse_refs(by_id.loc[cid, "evidence_at_cutoff"])
                        if claim_pages.CHAPTER_OF.get(t) == chapter
                    }
                )
            ),
        }
        for cid in ids
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
