"""The three essays as structure: paragraphs, sentences and fingerprints, never their text; and
the tables that describe them (dates, length, works cited) as *The three essays* shows them.

The essays are not ours, so the project commits no sentence of them. What it commits is where
each sentence stands and a fingerprint of it, so that a claim can point at "paragraph 4,
sentence 2" and a test can prove, wherever ``../shared/seeds`` exists, that the pointer still
lands on the sentence it was written for.

How a text is divided (the same rules for all three essays):

- Lines are stripped; empty lines are dropped.
- The first line is the **title**.
- A line of at most 14 words that does not end in a full stop or an exclamation mark is a
  **heading** (a heading may be a question).
- Once a heading reads "References" or "Works Cited", every later line is a **reference**,
  except a trailing "Photo Credit" line, which is a **trailer**.
- Every other line is a **paragraph**. Paragraphs are numbered from 1 in the order they appear,
  headings and title not counted; sentences are numbered from 1 within their paragraph.

Sentences end at ``.``, ``?`` or ``!`` (after any closing quote or bracket) followed by a space
and a capital letter, an opening quote or a footnote number. A footnote number printed after the
full stop (``this year.7,8 In May`` or ``Korean War. 9 This``) belongs to the sentence it ends.
A general-purpose splitter such as pySBD does not know that convention, hence this small one;
the tests pin the result on the three essays.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from nkbook.core.formats import day
from nkbook.data.provenance import short_citation

REFERENCE_HEADINGS = ("references", "works cited")
_SENTENCE_END = re.compile(
    r"""(?<=[.?!])["”’)\]]*       # sentence punctuation, then any closing quote or bracket
        (?:\s?\d+(?:\s?,\s?\d+)*)?   # a footnote marker: 7 | 7,8 | 2,3 (with or without a space)
        (?=\s+["“‘(]?[A-Z])          # then a space and what opens a sentence
    """,
    re.VERBOSE,
)
_FOOTNOTE = re.compile(r"(?<=[.?!\"”’)])\s?\d+(?:\s?,\s?\d+)*$")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})


@dataclass(frozen=True)
class Block:
    kind: str  # title, heading, paragraph, reference, trailer
    text: str
    number: int | None  # paragraph number (paragraphs only)
    section: str  # the heading the block sits under ("" before the first one)


@dataclass(frozen=True)
class Sentence:
    paragraph: int
    number: int
    text: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.text)

    @property
    def locator(self) -> str:
        return f"p{self.paragraph}.s{self.number}"


def normalise(sentence: str) -> str:
    """The form a fingerprint is taken of: NFKC, straight quotes, no footnote marker, single
    spaces, case-folded. Typographic changes to an essay do not change its fingerprints; a
    changed word does."""
    text = unicodedata.normalize("NFKC", sentence).translate(_QUOTES).strip()
    text = _FOOTNOTE.sub("", text)
    return " ".join(text.split()).casefold()


def fingerprint(sentence: str) -> str:
    """First 16 hex digits of the SHA-256 of the normalised sentence."""
    return hashlib.sha256(normalise(sentence).encode("utf-8")).hexdigest()[:16]


def _is_heading(line: str) -> bool:
    return len(line.split()) <= 14 and not re.search(r"[.!][\"”’)\]]*$", line)


def blocks(text: str) -> list[Block]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    out: list[Block] = []
    section, in_refs, number = "", False, 0
    for i, line in enumerate(lines):
        if i == 0:
            out.append(Block("title", line, None, ""))
        elif in_refs:
            kind = "trailer" if line.lower().startswith("photo credit") else "reference"
            out.append(Block(kind, line, None, section))
        elif _is_heading(line):
            section = line
            in_refs = line.lower() in REFERENCE_HEADINGS
            out.append(Block("heading", line, None, section))
        else:
            number += 1
            out.append(Block("paragraph", line, number, section))
    return out


def split_sentences(paragraph: str) -> list[str]:
    cuts = [m.end() for m in _SENTENCE_END.finditer(paragraph)]
    pieces, start = [], 0
    for cut in cuts + [len(paragraph)]:
        piece = paragraph[start:cut].strip()
        if piece:
            pieces.append(piece)
        start = cut
    return pieces


def sentences(text: str) -> list[Sentence]:
    return [
        Sentence(b.number, j, s)
        for b in blocks(text)
        if b.kind == "paragraph"
        for j, s in enumerate(split_sentences(b.text), start=1)
    ]


def sentence_at(text: str, paragraph: int, number: int) -> Sentence:
    for s in sentences(text):
        if (s.paragraph, s.number) == (paragraph, number):
            return s
    raise LookupError(f"no sentence p{paragraph}.s{number}")


def footnote_markers(text: str) -> int:
    """How many footnote numbers the paragraphs carry (``7,8`` counts two)."""
    count = 0
    for b in blocks(text):
        if b.kind == "paragraph":
            for s in split_sentences(b.text):
                m = _FOOTNOTE.search(s)
                if m:
                    count += len(re.findall(r"\d+", m.group()))
    return count


def read(path: Path) -> str:
    return Path(path).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the essays as the book describes them


def profile(essays: pd.DataFrame, stats: pd.DataFrame) -> pd.DataFrame:
    """One row per essay, indexed by label: the table ``essays`` with its counts from ``essay_stats``."""
    return essays.merge(stats.drop(columns="source_id"), on="essay_id").set_index("label")


def profile_figures(profile: pd.DataFrame) -> dict[str, object]:
    """Per essay its words, paragraphs, sentences, mean sentence length and works cited (``a_words``
    ...), then the dates the prose gives: when Essay A is judged as of and could first have been
    written, Essay B's web date and the day its sources were read, Essay C's date."""
    out: dict[str, object] = {}
    for label, r in profile.iterrows():
        k = label.lower()
        out[f"{k}_words"] = int(r["words"])
        out[f"{k}_paragraphs"] = int(r["paragraphs"])
        out[f"{k}_sentences"] = int(r["sentences"])
        out[f"{k}_mean"] = f"{r['mean_sentence_words']:.0f}"
        out[f"{k}_works"] = int(r["works_cited"])
    out["a_asof"] = day(profile.loc["A", "judged_as_of"])
    out["a_earliest"] = day(profile.loc["A", "earliest_possible"])
    out["b_date"] = day(profile.loc["B", "published_on"])
    out["b_written"] = day(profile.loc["B", "earliest_possible"])
    out["c_date"] = day(profile.loc["C", "published_on"])
    return out


def dates_judged(essays: pd.DataFrame) -> dict[str, str]:
    """The dates the method chapter explains: what each essay is judged as of (``a_asof``,
    ``b_asof``, ``c_asof``) and the day Essay B's sources were read (``b_written``)."""
    by_label = essays.set_index("label")
    return {
        "a_asof": day(by_label.loc["A", "judged_as_of"]),
        "b_asof": day(by_label.loc["B", "judged_as_of"]),
        "b_written": day(by_label.loc["B", "earliest_possible"]),
        "c_asof": day(by_label.loc["C", "judged_as_of"]),
    }


#: The columns of the table of the essays at a glance, in order.
GLANCE_COLUMNS = (
    "Essay",
    "Published",
    "Judged as of",
    "Words",
    "Paragraphs",
    "Sentences",
    "Words per sentence",
    "Works cited",
    "In-text references",
)


def glance(profile: pd.DataFrame) -> pd.DataFrame:
    """The essays at a glance: publisher and date, the date judged as of, length and references."""
    d = profile.reset_index()
    published = [
        f"{p}, {day(x)}" if pd.notna(x) else f"{p}, undated" for p, x in zip(d["publisher"], d["published_on"])
    ]
    table = pd.DataFrame(
        {
            "Essay": d["label"],
            "Published": published,
            "Judged as of": d["judged_as_of"].map(day),
            "Words": d["words"],
            "Paragraphs": d["paragraphs"],
            "Sentences": d["sentences"],
            "Words per sentence": d["mean_sentence_words"].map(lambda v: f"{v:.1f}"),
            "Works cited": d["works_cited"],
            "In-text references": d["in_text_citations"] + d["footnote_markers"],
        }
    )
    return table[list(GLANCE_COLUMNS)]


def works_with_age(works: pd.DataFrame, essays: pd.DataFrame) -> pd.DataFrame:
    """The works cited, each with its essay (``essay``, ``label``), its age in years at the essay's
    date (``age_years``) and the short citation of the source of our check (``source``)."""
    w = works.merge(essays[["essay_id", "label", "judged_as_of"]], on="essay_id")
    w["essay"] = "Essay " + w["label"]
    w["age_years"] = w["judged_as_of"].dt.year - w["first_published"]
    w["source"] = w["source_id"].map(short_citation)
    return w


def citation_figures(aged: pd.DataFrame) -> dict[str, object]:
    """How the citations fared (``n_works``, ``n_consistent``, ``n_slip`` for a slip or a minor
    slip, ``n_unverified``) and the median age of Essays A's and B's works (``a_age``, ``b_age``)."""
    checks = aged["check"].value_counts()
    age = aged.groupby("label")["age_years"].median()
    return {
        "n_works": len(aged),
        "n_consistent": int(checks.get("consistent", 0)),
        "n_slip": int(checks.get("slip", 0) + checks.get("minor slip", 0)),
        "n_unverified": int(checks.get("unverified", 0)),
        "a_age": f"{age['A']:.0f}",
        "b_age": f"{age['B']:.0f}",
    }


def works_table(works: pd.DataFrame) -> pd.DataFrame:
    """Every work the essays cite, as cited and as we found it."""
    shown = works.assign(
        **{
            "As cited": works["publisher_as_cited"] + ", " + works["year_as_cited"].astype(str),
            "What we found": works["check"] + ": " + works["check_note"],
        }
    )
    return shown[["work_id", "author", "title", "kind", "As cited", "What we found"]].rename(
        columns={"work_id": "Ref.", "author": "Author", "title": "Work", "kind": "Kind"}
    )


def arguments_table(essays: pd.DataFrame) -> pd.DataFrame:
    """The three essays' explanations, arguments and the theories they invoke."""
    return essays[["label", "explanation", "argument", "theories"]].rename(
        columns={
            "label": "Essay",
            "explanation": "Explanation",
            "argument": "Central argument, in our words",
            "theories": "Theories and thinkers invoked",
        }
    )
