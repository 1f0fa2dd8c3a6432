"""The claims register: what the essays claim, and what the data say of it, then and now.

``data/claims.csv`` holds one row per claim: where it stands in its essay (paragraph, sentence,
fingerprint), our paraphrase, its type and topic, two verdicts (as of the essay's publication
and as of the evidence cut-off), a confidence, a justification and the evidence, as references
``table:key`` to rows of the book's tables.

Claims that the data can settle mechanically (a figure, a date, a vote) name a rule of this
module in ``judged_by``. A rule looks only at rows that were public by the date it is asked
about, each table's public date being the field its ``x-public-date-field`` names, and returns
a verdict and the rows it rests on. The register stores the verdicts the rules gave when the
claim was reviewed; the tests recompute them, so that a data change that would flip a verdict
fails until someone has reviewed the claim again. Every other claim is judged by an analyst
(``judged_by`` = ``analyst``) from the evidence it lists.
"""

from nkbook.analysis.claims.evidence import (
    EVIDENCE_TABLES,
    Evidence,
    describe,
    evidence_rows,
    format_refs,
    parse_refs,
    public_by,
    public_date_field,
    public_dates,
)
from nkbook.analysis.claims.register import (
    JUDGEMENT,
    as_of,
    changed_fields,
    claim_span,
    cutoff,
    cutoff_text,
    evidence_column,
    history,
    problems,
    recompute,
    register,
    register_records,
    verdict_column,
)
from nkbook.analysis.claims.rules import KURSK_WINDOW, RULES, Judgement, figure_against_estimates, rule
from nkbook.analysis.claims.vocabulary import (
    CLAIM_TYPES,
    UNCHECKABLE_TYPES,
    VERDICTS,
    WHEN,
)

__all__ = [
    "CLAIM_TYPES",
    "EVIDENCE_TABLES",
    "Evidence",
    "KURSK_WINDOW",
    "RULES",
    "UNCHECKABLE_TYPES",
    "VERDICTS",
    "WHEN",
    "Judgement",
    "JUDGEMENT",
    "as_of",
    "changed_fields",
    "claim_span",
    "cutoff",
    "cutoff_text",
    "describe",
    "evidence_column",
    "evidence_rows",
    "history",
    "figure_against_estimates",
    "format_refs",
    "parse_refs",
    "problems",
    "public_by",
    "public_date_field",
    "public_dates",
    "recompute",
    "register",
    "register_records",
    "rule",
    "verdict_column",
]
