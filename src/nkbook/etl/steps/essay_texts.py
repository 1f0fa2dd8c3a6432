"""``essay_sentences`` and ``essay_stats``: the three essays measured, from ``../shared/seeds``.

The essays are not ours and are not committed. These two tables carry what the book needs of
them without their words: where every sentence stands, how long it is and its fingerprint
(``essay_sentences``), and each essay's size and apparatus (``essay_stats``). The book builds
from them on a clone without the essays; a test checks every claim's pointer against them, and,
where the essays are present, against the texts themselves. Which file is which essay comes
from the curated table ``essays``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from nkbook.data import essays as text
from nkbook.etl import SnapshotError

# A parenthetical reference in the running text: "(Waltz, Theory of International Politics, 1979)".
_IN_TEXT_CITATION = re.compile(r"\([A-Z][^()]*?,\s*(?:1[4-9]|20)\d\d\)")
_QUOTATION = re.compile(r"[“\"]([^”\"]+)[”\"]")


def _essays() -> pd.DataFrame:
    from nkbook.data.package import load  # the curated table, validated

    return load("essays", check_stats=False)


def _texts(seeds: Path) -> list[tuple[str, str]]:
    out = []
    for row in _essays().itertuples():
        path = seeds / row.seed_file
        if not path.is_file():
            raise SnapshotError(f"{path}: the text of essay {row.essay_id!r} is missing")
        out.append((row.essay_id, text.read(path)))
    return out


def build_sentences(seeds: Path) -> pd.DataFrame:
    source_of = _essays().set_index("essay_id")["source_id"]
    rows = []
    for essay_id, body in _texts(seeds):
        for s in text.sentences(body):
            rows.append(
                {
                    "essay_id": essay_id,
                    "paragraph": s.paragraph,
                    "sentence": s.number,
                    "locator": s.locator,
                    "words": len(s.text.split()),
                    "fingerprint": s.fingerprint,
                    "source_id": source_of[essay_id],
                }
            )
    return pd.DataFrame(rows).sort_values(["essay_id", "paragraph", "sentence"], kind="stable")


def build_stats(seeds: Path) -> pd.DataFrame:
    meta = _essays().set_index("essay_id")
    rows = []
    for essay_id, body in _texts(seeds):
        blocks = text.blocks(body)
        paragraphs = [b for b in blocks if b.kind == "paragraph"]
        sents = text.sentences(body)
        lengths = [len(s.text.split()) for s in sents]
        prose = " ".join(b.text for b in paragraphs)
        rows.append(
            {
                "essay_id": essay_id,
                "words": sum(lengths),
                "paragraphs": len(paragraphs),
                "sentences": len(sents),
                "headings": sum(b.kind == "heading" and b.text.lower() not in text.REFERENCE_HEADINGS for b in blocks),
                "mean_sentence_words": round(sum(lengths) / len(lengths), 1),
                "longest_sentence_words": max(lengths),
                "works_cited": sum(b.kind == "reference" for b in blocks),
                "in_text_citations": len(_IN_TEXT_CITATION.findall(prose)),
                "footnote_markers": text.footnote_markers(body),
                "quotations": len(_QUOTATION.findall(prose)),
                "source_id": meta.loc[essay_id, "source_id"],
            }
        )
    return pd.DataFrame(rows).sort_values("essay_id", kind="stable")
