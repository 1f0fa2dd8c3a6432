"""The register: ``data/claims.csv`` joined to its essays, the cut-off, the checks that keep the
stored verdicts equal to what the rules give, and the tallies of verdicts."""

from __future__ import annotations

import pandas as pd

from nkbook.analysis.claims.evidence import EVIDENCE_TABLES, Evidence, evidence_rows, format_refs, parse_refs
from nkbook.analysis.claims.rules import RULES, Judgement
from nkbook.analysis.claims.vocabulary import UNCHECKABLE_TYPES, WHEN
from nkbook.core.errors import DataError, Problem
from nkbook.data import coverage, load, package, resource


def cutoff() -> pd.Timestamp:
    """The evidence cut-off that "now" verdicts are judged as of: the day through which the
    sources behind the curated tables were searched (every row public by then counts). Computed
    from the search log by ``make data`` (:mod:`nkbook.data.coverage`)."""
    pkg = package()
    if "x-searched-through" not in pkg:
        raise DataError(
            [Problem("data/datapackage.json", "no x-searched-through: the search log names no table (run make data)")]
        )
    return pd.Timestamp(pkg["x-searched-through"])


def cutoff_text() -> str:
    """``evidence to 13 December 2025, searched through November 2026``: the whole book's cut-off."""
    pkg = package()
    return coverage.span_text(pkg.get("x-evidence-through"), pkg.get("x-searched-through"))


def claim_span(refs_text) -> tuple[str | None, str | None]:
    """How far the evidence behind one "now" verdict reaches: the newest row of the tables its
    evidence comes from, and the earliest date through which those of them that were searched
    month by month were searched (the book's own dates for a claim without evidence)."""
    tables = sorted({table for table, _ in parse_refs(refs_text)})
    pkg = package()
    if not tables:
        return pkg.get("x-evidence-through"), pkg.get("x-searched-through")
    newest = [resource(t).get("x-newest-row") for t in tables]
    searched = [resource(t).get("x-searched-through") for t in tables]
    return max((n for n in newest if n), default=None), min((s for s in searched if s), default=None)


def register() -> pd.DataFrame:
    """The claims with their essays' labels, titles and the dates they are judged as of."""
    claims = load("claims")
    essays = load("essays")[
        ["essay_id", "label", "title", "publisher", "url", "published_on", "judged_as_of", "source_id"]
    ]
    out = claims.merge(
        essays.rename(columns={"source_id": "essay_source_id"}), on="essay_id", how="left", validate="many_to_one"
    )
    out["cutoff"] = cutoff()
    spans = out["evidence_at_cutoff"].map(claim_span)
    out["evidence_through"] = spans.str[0]
    out["searched_through"] = spans.str[1]
    return out


#: What a claim's judgement is made of: what an edition changes is one of these.
JUDGEMENT = ("verdict_at_publication", "verdict_at_cutoff", "confidence")


def history(claim_id: str) -> list[dict]:
    """How earlier editions judged a claim (``data/claim_history.csv``), oldest first."""
    past = load("claim_history")
    rows = past[past["claim_id"] == claim_id].sort_values("edition", key=lambda s: s.map(_version_key))
    return rows.to_dict("records")


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def changed_fields(row, past: list[dict]) -> list[str]:
    """The parts of a claim's judgement that differ from the last edition's. A claim that no
    earlier edition judged is new rather than changed: for it this returns an empty list."""
    if not past:
        return []
    last = past[-1]

    def norm(value):
        return None if value is None or pd.isna(value) else str(value)

    return [f for f in JUDGEMENT if norm(row[f]) != norm(last[f])]


def as_of(row, when: str) -> pd.Timestamp:
    if when not in WHEN:
        raise ValueError(f"when must be one of {WHEN}")
    return pd.Timestamp(row["judged_as_of"] if when == "publication" else row["cutoff"])


def recompute(row, when: str) -> Judgement:
    name = row["judged_by"]
    if name not in RULES:
        raise KeyError(f"claim {row['claim_id']}: no rule named {name!r}")
    return RULES[name](as_of(row, when))


def verdict_column(when: str) -> str:
    return f"verdict_at_{when}"


def evidence_column(when: str) -> str:
    return f"evidence_at_{when}"


def problems(frame: pd.DataFrame | None = None) -> list[Problem]:
    """Everything wrong with the register beyond its schema: unknown rules, stale verdicts,
    evidence that does not exist or was not yet public at the date a verdict is given for."""
    frame = register() if frame is None else frame
    file = "data/claims.csv"
    evidence = Evidence()
    out: list[Problem] = []
    for i, row in enumerate(frame.to_dict("records"), start=1):
        cid = row["claim_id"]
        if row["claim_type"] in UNCHECKABLE_TYPES and row["verdict_at_cutoff"] != "Not checkable":
            out.append(
                Problem(
                    file,
                    f"{cid}: a {row['claim_type']} claim can only be 'Not checkable'",
                    row=i,
                    field="verdict_at_cutoff",
                )
            )
        for when in WHEN:
            col = evidence_column(when)
            for table, key in parse_refs(row[col]):
                if table not in EVIDENCE_TABLES:
                    out.append(
                        Problem(
                            file,
                            f"{cid}: {table}:{key} is not in an evidence table ({', '.join(EVIDENCE_TABLES)})",
                            row=i,
                            field=col,
                        )
                    )
                    continue
                try:
                    ev = evidence_rows([(table, key)], evidence).iloc[0]
                except KeyError:
                    out.append(Problem(file, f"{cid}: evidence {table}:{key} does not exist", row=i, field=col))
                    continue
                if pd.isna(ev["public_on"]):
                    out.append(
                        Problem(
                            file,
                            f"{cid}: evidence {table}:{key} has no public date, so it cannot support a verdict",
                            row=i,
                            field=col,
                        )
                    )
                elif ev["public_on"] > as_of(row, when):
                    out.append(
                        Problem(
                            file,
                            f"{cid}: evidence {table}:{key} became public on {ev['public_on']:%Y-%m-%d}, "
                            f"after the date the {when} verdict is given for ({as_of(row, when):%Y-%m-%d})",
                            row=i,
                            field=col,
                        )
                    )
        if row["judged_by"] != "analyst":
            if row["judged_by"] not in RULES:
                out.append(
                    Problem(file, f"{cid}: judged_by names no rule: {row['judged_by']!r}", row=i, field="judged_by")
                )
                continue
            for when in WHEN:
                j = recompute(row, when)
                if j.verdict != row[verdict_column(when)]:
                    out.append(
                        Problem(
                            file,
                            f"{cid}: the register says {row[verdict_column(when)]!r} as of {when}, the data now give "
                            f"{j.verdict!r} ({j.reason}); review the claim",
                            row=i,
                            field=verdict_column(when),
                        )
                    )
                missing = set(j.evidence) - set(parse_refs(row[evidence_column(when)]))
                if missing:
                    out.append(
                        Problem(
                            file,
                            f"{cid}: the {when} evidence lacks {format_refs(sorted(missing))}, which the rule rests on",
                            row=i,
                            field=evidence_column(when),
                        )
                    )
    return out


def register_records(frame: pd.DataFrame | None = None) -> list[dict]:
    """The register as plain records for the JSON download (dates as ISO strings)."""
    frame = register() if frame is None else frame
    records = []
    for row in frame.to_dict("records"):
        rec = {}
        for k, v in row.items():
            if isinstance(v, pd.Timestamp):
                v = v.strftime("%Y-%m-%d")
            elif v is pd.NA or (isinstance(v, float) and pd.isna(v)) or v is pd.NaT:
                v = None
            elif hasattr(v, "item"):
                v = v.item()
            rec[k] = v
        records.append(rec)
    return records
