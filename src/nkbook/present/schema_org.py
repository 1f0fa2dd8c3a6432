"""The register as schema.org ``ClaimReview`` records, embedded in the card pages as JSON-LD, so
that search engines and fact-check aggregators can read each verdict with its claim and essay."""

from __future__ import annotations

import pandas as pd

from nkbook.data.coverage import span_text
from nkbook.present.templating import script_json

#: ClaimReview ratings: only verdicts on the truth of a claim get a number; the other two are
#: given by name only (``alternateName``), as schema.org allows.
RATINGS = {"Contradicted": 1, "Partly supported": 2, "Supported": 3}
BEST_RATING, WORST_RATING = 3, 1


def claim_page(claim_id: str) -> str:
    """The page (without suffix) that holds a claim's card: one page per essay."""
    return f"claims-{claim_id[0].lower()}"


def claim_url(base: str, claim_id: str) -> str:
    return f"{base.rstrip('/')}/book/{claim_page(claim_id)}.html#claim-{claim_id.lower()}"


def claim_review(row, base_url: str, author: str) -> dict:
    """A schema.org ``ClaimReview`` for one claim, as of the evidence cut-off: the rating's
    explanation names how far the claim's evidence reaches and how far it was searched."""
    verdict = row["verdict_at_cutoff"]
    rating = {
        "@type": "Rating",
        "alternateName": verdict,
        "bestRating": BEST_RATING,
        "worstRating": WORST_RATING,
        "ratingExplanation": f"{verdict}, as of the {span_text(row['evidence_through'], row['searched_through'])}.",
    }
    if verdict in RATINGS:
        rating["ratingValue"] = RATINGS[verdict]
    appearance = {
        "@type": "CreativeWork",
        "url": row["url"],
        "headline": row["title"],
        "publisher": {"@type": "Organization", "name": row["publisher"]},
    }
    item = {"@type": "Claim", "appearance": appearance, "author": {"@type": "Organization", "name": row["publisher"]}}
    if pd.notna(row["published_on"]):
        item["datePublished"] = pd.Timestamp(row["published_on"]).strftime("%Y-%m-%d")
        appearance["datePublished"] = item["datePublished"]
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": claim_url(base_url, row["claim_id"]),
        "identifier": row["claim_id"],
        "claimReviewed": row["paraphrase"],
        "itemReviewed": item,
        "author": {"@type": "Organization", "name": author},
        "datePublished": pd.Timestamp(row["reviewed_on"]).strftime("%Y-%m-%d"),
        "reviewRating": rating,
    }


def jsonld_script(reviews: list[dict]) -> str:
    """The reviews as one compact ``<script type="application/ld+json">`` block (stable key order)."""
    body = script_json(reviews)  # no text of a claim can end the element or open anything inside it
    return f'<script type="application/ld+json">\n{body}\n</script>'
