"""The words of the register: verdicts, claim types, the two dates a claim is judged as of."""

from __future__ import annotations

VERDICTS = ("Supported", "Partly supported", "Contradicted", "Not enough evidence", "Not checkable")
CLAIM_TYPES = (
    "factual",
    "quantitative",
    "causal",
    "predictive",
    "interpretive",
    "citation",
    "internal",
    "normative",
    "theoretical",
)
#: Types no data could settle.
UNCHECKABLE_TYPES = ("normative", "theoretical")
WHEN = ("publication", "cutoff")
