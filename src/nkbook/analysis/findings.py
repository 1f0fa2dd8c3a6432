"""What the book found, in numbers: the register's tallies per essay, type and date, the claims each
chapter of evidence bears on, and the figures the first page, the conclusions and the chapters on
the claims quote.

Every number in the prose of those chapters comes from here (glued by the notebooks, never typed),
so that a changed verdict in ``data/claims.csv`` changes the answer on the first page with it. The
claims a chapter bears on are those whose evidence rows come from the tables the chapter presents
(:data:`CHAPTER_OF`), which is the same mapping the claim cards use to link back to the chapters:
the two directions cannot drift apart.

Pure computation on the tables: the prose, charts and HTML made of these numbers are in
:mod:`nkbook.present.findings` and :mod:`nkbook.present.plots.findings`.
"""

from __future__ import annotations

import pandas as pd

from nkbook.analysis import claims
from nkbook.core.formats import day
from nkbook.data import load, package
from nkbook.data.provenance import short_citation

#: The chapters of evidence, in the book's order.
EVIDENCE_CHAPTERS = ("sanctions", "troops", "munitions", "flows")
#: Where each evidence table is presented in the book.
CHAPTER_OF = {
    "unsc_dprk_actions": "sanctions",
    "us_dprk_russia_designations": "sanctions",
    "other_states_sanctions": "sanctions",
    "petroleum_supply": "sanctions",
    "troop_estimates": "troops",
    "casualty_estimates": "troops",
    "milestones": "troops",
    "munitions_transfers": "munitions",
    "reported_transfers_to_dprk": "flows",
    "dprk_trade": "flows",
    "essay_works_cited": "essays",
    "context_facts": "method",
    "unga_ideal_points": "bloc",
    "unga_agreement": "bloc",
    "unga_ukraine_resolutions": "bloc",
    "unga_ukraine_votes": "bloc",
    "regimes_of_the_world": "bloc",
    "freedom_house": "bloc",
}
#: How a date is named on the charts of the verdicts.
WHEN_LABELS = {"publication": "at publication", "cutoff": "at the evidence cut-off"}
#: The same, short enough for a bar's label on a phone.
WHEN_SHORT = {"publication": "publication", "cutoff": "cut-off"}
#: The glue names of the verdicts on the first page and in the conclusions (``n_sup`` ...).
VERDICT_KEYS = {
    "Supported": "sup",
    "Partly supported": "part",
    "Contradicted": "con",
    "Not enough evidence": "nee",
    "Not checkable": "nc",
}
#: Claims about the world that a date or a figure can settle, and claims about motives.
FACT_TYPES = ("factual", "quantitative")
MOTIVE_TYPES = ("causal", "interpretive")
#: Essay A's argument from theory: what it cites, forecasts and reads into events.
THEORY_TYPES = ("citation", "predictive", "interpretive")


# --------------------------------------------------------------------------- tallies


def tallies(register: pd.DataFrame | None = None, by: str = "label") -> pd.DataFrame:
    """Claims per ``by`` (essay label, type...), date and verdict, as a tidy table.

    Columns ``by``, ``verdict``, ``claims`` and ``when`` (``publication``, ``cutoff``); one row per
    combination that has claims, ordered by date, then ``by``, then verdict (alphabetically).
    """
    register = claims.register() if register is None else register
    parts = []
    for when in claims.WHEN:
        col = claims.verdict_column(when)
        counted = register.groupby([by, col], observed=True).size().rename("claims").reset_index()
        parts.append(counted.rename(columns={col: "verdict"}).assign(when=when))
    return pd.concat(parts, ignore_index=True)


def tally(register: pd.DataFrame, label: str | None = None, when: str = "cutoff") -> dict[str, int]:
    """``{"Supported": 5, ...}``: the claims of one essay (of all three with no label) by verdict
    at one date, every verdict named, in the order of the scale."""
    mine = register if label is None else register[register["label"] == label]
    counted = mine[claims.verdict_column(when)].value_counts()
    return {v: int(counted.get(v, 0)) for v in claims.VERDICTS}


def changed(register: pd.DataFrame) -> pd.DataFrame:
    """The claims whose verdict at the cut-off differs from their verdict at publication."""
    return register[register["verdict_at_publication"] != register["verdict_at_cutoff"]]


def judged_by_rule(register: pd.DataFrame) -> int:
    """How many claims a rule of :mod:`nkbook.analysis.claims` judges (not an analyst)."""
    return int((register["judged_by"] != "analyst").sum())


def essay_dates(register: pd.DataFrame) -> dict[str, str]:
    """Each essay's label and the date its claims are first judged as of, as the prose writes it."""
    first = register.drop_duplicates("label").set_index("label")
    return {label: day(r["judged_as_of"]) for label, r in first.sort_index().iterrows()}


def headline(register: pd.DataFrame) -> dict[str, object]:
    """The answer's first numbers: the cut-off, the claims and their verdicts at the cut-off
    (glue names ``cutoff``, ``n_claims``, ``n_sup`` ... ``n_nc``)."""
    now = tally(register)
    return {
        "cutoff": claims.cutoff_text(),
        "n_claims": len(register),
        **{f"n_{VERDICT_KEYS[v]}": n for v, n in now.items()},
    }


def changes(register: pd.DataFrame) -> dict[str, object]:
    """The verdicts that differ between the two dates: how many, which, and in which essays."""
    moved = changed(register)
    return {
        "n_changed": len(moved),
        "changed_ids": ", ".join(moved["claim_id"]),
        "changed_essays": " and ".join(f"Essay {label}" for label in sorted(moved["label"].unique())),
    }


def verdicts_of_types(register: pd.DataFrame, types) -> dict[str, int]:
    """The verdicts at the cut-off of the claims of some types, every verdict named."""
    return tally(register[register["claim_type"].isin(types)])


def motive_figures(register: pd.DataFrame) -> dict[str, int]:
    """Claims about motives (causal and interpretive: ``n_motive``) and how many of them the
    evidence cannot settle (``motive_nee``)."""
    motive = verdicts_of_types(register, MOTIVE_TYPES)
    return {"n_motive": sum(motive.values()), "motive_nee": motive["Not enough evidence"]}


def type_figures(register: pd.DataFrame) -> dict[str, int]:
    """What the verdicts say by type of claim: facts and figures (``n_fact``, ``fact_sup``,
    ``fact_part``, ``fact_con``), motives (:func:`motive_figures`) and citations (``n_cite``,
    ``cite_bad``: partly supported or contradicted)."""
    fact = verdicts_of_types(register, FACT_TYPES)
    cite = verdicts_of_types(register, ("citation",))
    return {
        "n_fact": sum(fact.values()),
        "fact_sup": fact["Supported"],
        "fact_part": fact["Partly supported"],
        "fact_con": fact["Contradicted"],
        **motive_figures(register),
        "n_cite": sum(cite.values()),
        "cite_bad": cite["Partly supported"] + cite["Contradicted"],
    }


def register_figures(register: pd.DataFrame) -> dict[str, object]:
    """The numbers of the chapter on the register (*Claims and verdicts*), in the order it states them."""
    now = tally(register)
    out: dict[str, object] = {"cutoff": claims.cutoff_text(), "n_claims": len(register)}
    out.update({f"n_{label.lower()}": int(n) for label, n in register.groupby("label").size().items()})
    out["n_rule"] = judged_by_rule(register)
    out["n_checkable"] = len(register) - now["Not checkable"]
    out["n_supported"] = now["Supported"]
    out["n_partly"] = now["Partly supported"]
    out["n_contradicted"] = now["Contradicted"]
    out["n_nee"] = now["Not enough evidence"]
    out["n_nc"] = now["Not checkable"]
    out["n_changed"] = len(changed(register))
    out["changed_ids"] = ", ".join(changed(register)["claim_id"])
    out["contra_ids"] = ", ".join(register.loc[register["verdict_at_cutoff"] == "Contradicted", "claim_id"])
    for label in sorted(register["label"].unique()):
        mine = tally(register, label)
        for verdict in ("Supported", "Contradicted", "Partly supported"):
            out[f"{label.lower()}_{VERDICT_KEYS[verdict]}"] = mine[verdict]
    return out


def essay_type_figures(register: pd.DataFrame) -> dict[str, int]:
    """What the essays offer to check: Essay A's citations, forecasts and interpretations
    (``a_theory`` of ``n_a_all``), Essay B's facts and figures (``b_fact`` of ``n_b_all``)."""
    a = register[register["label"] == "A"]
    b = register[register["label"] == "B"]
    return {
        "a_theory": int(a["claim_type"].isin(THEORY_TYPES).sum()),
        "n_a_all": len(a),
        "b_fact": int(b["claim_type"].isin(FACT_TYPES).sum()),
        "n_b_all": len(b),
    }


# --------------------------------------------------------------------------- tables of the register


def claims_per_essay(register: pd.DataFrame) -> pd.DataFrame:
    """One row: the number of claims of each essay (columns ``Essay A`` ...)."""
    per = register.groupby("label").size().rename(lambda label: f"Essay {label}")
    return per.to_frame("Claims").T.rename_axis(columns=None)


def verdicts_by_type_and_essay(register: pd.DataFrame) -> pd.DataFrame:
    """Claims by essay, type and verdict at the cut-off, with the total of each row."""
    table = pd.crosstab(
        [register["label"].rename("Essay"), register["claim_type"].rename("Type")], register["verdict_at_cutoff"]
    ).reindex(columns=list(claims.VERDICTS), fill_value=0)
    table["All"] = table.sum(axis=1)
    table.columns.name = None
    return table.reset_index()


def types_by_essay(register: pd.DataFrame) -> pd.DataFrame:
    """Claims by type (rows) and essay (columns ``Essay A`` ...), with totals."""
    types = pd.crosstab(register["claim_type"], register["label"], margins=True, margins_name="All")
    columns = {"claim_type": "Type of claim", **{label: f"Essay {label}" for label in register["label"].unique()}}
    return types.reset_index().rename(columns=columns)


def verdict_moves(essay: pd.DataFrame) -> pd.DataFrame:
    """Claims by verdict at publication (rows) and at the cut-off (columns), every verdict shown."""
    return (
        pd.crosstab(essay["verdict_at_publication"], essay["verdict_at_cutoff"])
        .reindex(index=claims.VERDICTS, columns=claims.VERDICTS, fill_value=0)
        .rename_axis(index="at publication ↓ / now →", columns=None)
        .reset_index()
    )


def rules_table(register: pd.DataFrame) -> pd.DataFrame:
    """The rules that judge claims mechanically: what each checks and the claims it judges."""
    used = register[register["judged_by"] != "analyst"].groupby("judged_by")["claim_id"].apply(", ".join)
    return pd.DataFrame(
        [
            {"Rule": name, "What it checks": " ".join((fn.__doc__ or "").split()), "Claims": used.get(name, "–")}
            for name, fn in claims.RULES.items()
        ]
    )


# --------------------------------------------------------------------------- chart data


def _essay_sources(register: pd.DataFrame) -> pd.Series:
    """Each essay label's short citation."""
    return register.drop_duplicates("label").set_index("label")["essay_source_id"].map(short_citation)


def verdicts_by_essay(register: pd.DataFrame) -> pd.DataFrame:
    """:func:`tallies` per essay, with the essay's name and short citation (for the tooltip)."""
    tidy = tallies(register, "label")
    tidy["essay"] = "Essay " + tidy["label"]
    tidy["source"] = tidy["label"].map(_essay_sources(register))
    return tidy


def verdicts_by_type(register: pd.DataFrame) -> pd.DataFrame:
    """:func:`tallies` per type of claim, the source being the three essays."""
    return tallies(register, "claim_type").assign(source="the three essays (see the register)")


def chart_data(register: pd.DataFrame) -> pd.DataFrame:
    """The tallies per essay laid out for stacked bars: where each verdict's segment starts and ends.

    Segments of zero claims are left out (nothing to draw or label).
    """
    t = tallies(register)[["label", "when", "verdict", "claims"]].copy()
    t["essay"] = "Essay " + t["label"]
    t["judged"] = t["when"].map(WHEN_LABELS)
    t["bar"] = t["essay"] + ", " + t["when"].map(WHEN_SHORT)
    t["rank"] = t["verdict"].map({v: i for i, v in enumerate(claims.VERDICTS)})
    t["when_rank"] = t["when"].map({w: i for i, w in enumerate(claims.WHEN)})
    t = t.sort_values(["label", "when_rank", "rank"])
    t["end"] = t.groupby("bar")["claims"].cumsum()
    t["start"] = t["end"] - t["claims"]
    t["middle"] = (t["start"] + t["end"]) / 2
    t["source"] = "Register of claims (data/claims.csv); essay: " + t["label"].map(_essay_sources(register))
    return t.reset_index(drop=True)


def bar_order(register: pd.DataFrame) -> list[str]:
    """The bars of :func:`chart_data`, top to bottom: each essay at publication, then at the cut-off."""
    return [f"Essay {label}, {WHEN_SHORT[w]}" for label in sorted(register["label"].unique()) for w in claims.WHEN]


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


def last_sanctions_resolution() -> str:
    """The date of the Security Council's latest resolution on North Korea, as the prose writes it."""
    actions = load("unsc_dprk_actions")
    resolutions = actions[actions["action_type"] == "resolution"]
    return day(resolutions.sort_values("action_date").iloc[-1]["action_date"])


# --------------------------------------------------------------------------- chapters and claims


def chapter_tables(chapter: str) -> list[str]:
    """The evidence tables a chapter presents."""
    return sorted(t for t, c in CHAPTER_OF.items() if c == chapter)


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
    return {
        "chapter": chapter,
        "ids": ids,
        "n": len(ids),
        "per_essay": {label: int(n) for label, n in mine.groupby("label").size().items()},
        "now": tally(mine),
        "changed": list(changed(mine)["claim_id"]),
    }


def chapter_figures(register: pd.DataFrame) -> dict[str, int]:
    """For each chapter of evidence, the claims it bears on (``n_troops``) and how many of them
    are contradicted now (``troops_con``)."""
    out = {}
    for chapter in EVIDENCE_CHAPTERS:
        summary = chapter_summary(chapter, register)
        out[f"n_{chapter}"] = summary["n"]
        out[f"{chapter}_con"] = summary["now"]["Contradicted"]
    return out


def chapter_tables_of_claim(claim_id: str, chapter: str, register: pd.DataFrame) -> str:
    """The tables of ``chapter`` a claim's evidence (at the cut-off) comes from, comma-separated."""
    refs = claims.parse_refs(register.set_index("claim_id").loc[claim_id, "evidence_at_cutoff"])
    return ", ".join(sorted({t for t, _ in refs if CHAPTER_OF.get(t) == chapter}))


# --------------------------------------------------------------------------- method


def public_date_fields() -> pd.DataFrame:
    """Each table whose rows carry the date they became public: the column, and what it means."""
    rows = []
    for r in package()["resources"]:
        field = r.get("x-public-date-field")
        if field:
            meaning = next(f["description"] for f in r["schema"]["fields"] if f["name"] == field)
            rows.append({"Table": r["name"], "Date it became public": field, "Meaning": meaning})
    return pd.DataFrame(rows)


def context_facts_table(facts: pd.DataFrame) -> pd.DataFrame:
    """The context facts as the method chapter lists them: our statement, its public date and source."""
    shown = facts.assign(source=facts["source_id"].map(short_citation), public=facts["published_on"].map(day))
    return shown[["fact_id", "topic", "statement", "public", "source", "verification"]].rename(
        columns={
            "fact_id": "Fact",
            "topic": "Topic",
            "statement": "Statement (our words)",
            "public": "Public",
            "source": "Source",
            "verification": "Checked",
        }
    )


def method_figures(sentences: pd.DataFrame, facts: pd.DataFrame, register: pd.DataFrame) -> dict[str, object]:
    """The numbers of the chapter on method: how the essays divide (``n_paragraphs``,
    ``n_sentences``), how many sentences hold a claim, the rules and the claims they judge, the
    context facts and the cut-off."""
    return {
        "n_sentences": len(sentences),
        "n_paragraphs": int(sentences.groupby("essay_id")["paragraph"].max().sum()),
        "n_claims": len(register),
        "n_sent_with_claims": int(register[["essay_id", "paragraph", "sentence"]].drop_duplicates().shape[0]),
        "n_rules": len(claims.RULES),
        "n_rule_claims": judged_by_rule(register),
        "n_facts": len(facts),
        "cutoff": claims.cutoff_text(),
    }
