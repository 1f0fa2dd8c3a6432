"""The words of the register: verdicts, claim types, the two dates a claim is judged as of."""

from __future__ import annotations

VERDICTS = ("Supported", "Partly supported", "Contradicted", "Not enough evidence", "Not checkable")
#: ClaimReview ratings: only verdicts on the truth of a claim get a number; the other two are
#: given by name only (``alternateName``), as schema.org allows.
RATINGS = {"Contradicted": 1, "Partly supported": 2, "Supported": 3}
BEST_RATING, WORST_RATING = 3, 1
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
