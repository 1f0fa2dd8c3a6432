"""What changed since the previous edition, computed from git, never typed.

The previous edition of a build is the newest release of ``releases.json`` whose version is lower
than this edition's (``nkbook.__version__``), or, when this edition is itself listed, the one
listed before it (:func:`previous_release`). Its files are read from its commit with ``git show``;
this edition's from the working tree (or from another commit). :func:`compute` compares them:

- the **verdicts** (as of publication, as of the cut-off) and the **confidence** of every claim
  judged by both editions, with the reason ``data/claims.csv`` gives (``change_reason``);
- the **claims** added and withdrawn;
- for every table of ``data/datapackage.json``, matched by name and compared row by row on its
  primary key: rows added, removed and corrected (each correction as field: old -> new, grouped
  when many rows changed alike), columns added and removed, and the tables added and removed;
- the **sources** (entry keys of ``book/references.bib``) added and removed;
- the **evidence dates**: the cut-off dates each edition's data package states, and the newest
  row of the tables whose searches ``search_log`` records, computed for both editions by
  :func:`nkbook.data.coverage.newest_row` (the definition of ``x-evidence-through``).

The record of past verdicts must be what was published: a row of ``data/claim_history.csv`` for the
previous edition that differs from that edition's own ``data/claims.csv`` is refused, naming its row
and field (:func:`history_problems`).

Cells are compared as the text the files hold (a table read by :func:`nkbook.core.csvfile.read_table`
or, for a commit, :func:`~nkbook.core.csvfile.table_from_bytes`). An earlier edition's schema may
differ: a column that only one edition has is reported as added or removed, never compared.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from pybtex.database import parse_string
from pybtex.scanner import PybtexError

from nkbook.core.csvfile import read_table, table_from_bytes
from nkbook.core.errors import DataError, Problem
from nkbook.core.releases import releases, version_key
from nkbook.data import coverage

PACKAGE = "data/datapackage.json"
BIBLIOGRAPHY = "book/references.bib"
CLAIMS = "claims"
HISTORY = "claim_history"
HISTORY_FILE = "data/claim_history.csv"
VERDICTS = ("verdict_at_publication", "verdict_at_cutoff")
CONFIDENCE = "confidence"
#: The cut-off dates a data package may state (1.0.0 stated one day, ``x-data-cutoff``).
STATED_DATES = ("x-evidence-through", "x-searched-through", "x-sources-reach", "x-data-cutoff")


# --------------------------------------------------------------------------- releases


def previous_release(listed: list[dict], version: str) -> dict | None:
    """The previous edition of ``version``: the release listed just before it when it is listed,
    else the newest listed release with a lower version; None when there is none."""
    versions = [r["version"] for r in listed]
    if version in versions:
        at = versions.index(version)
        return listed[at - 1] if at else None
    lower = [r for r in listed if version_key(r["version"]) < version_key(version)]
    return max(lower, key=lambda r: version_key(r["version"])) if lower else None


# --------------------------------------------------------------------------- reading an edition


@dataclass(frozen=True)
class Edition:
    """One edition's files: those of ``commit``, or of the working tree when ``commit`` is None."""

    root: Path
    commit: str | None = None

    @property
    def label(self) -> str:
        return self.commit[:12] if self.commit else "the working tree"

    def has_commit(self) -> bool:
        if self.commit is None:
            return True
        return _git(self.root, "cat-file", "-e", f"{self.commit}^{{commit}}").returncode == 0

    def read(self, path: str) -> bytes | None:
        """A file's bytes, None when the edition has no such file."""
        if self.commit is None:
            file = Path(self.root) / path
            return file.read_bytes() if file.is_file() else None
        done = _git(self.root, "show", f"{self.commit}:{path}", text=False)
        return done.stdout if done.returncode == 0 else None

    def where(self, path: str) -> str:
        return path if self.commit is None else f"{path} at commit {self.commit[:12]}"

    def package(self) -> dict:
        data = self.read(PACKAGE)
        if data is None:
            raise DataError([Problem(self.where(PACKAGE), "no such file")])
        try:
            return json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise DataError([Problem(self.where(PACKAGE), f"cannot be read as JSON: {exc}")]) from None

    def table(self, res: dict) -> pd.DataFrame | None:
        path = f"data/{res['path']}"
        if self.commit is None:
            file = Path(self.root) / path
            return read_table(file) if file.is_file() else None
        data = self.read(path)
        return None if data is None else table_from_bytes(data, self.where(path))

    def source_keys(self) -> list[str]:
        data = self.read(BIBLIOGRAPHY)
        if data is None:
            return []
        try:
            return list(parse_string(data.decode("utf-8"), "bibtex").entries.keys())
        except (UnicodeDecodeError, PybtexError) as exc:
            raise DataError([Problem(self.where(BIBLIOGRAPHY), f"cannot be read as BibTeX: {exc}")]) from None


def _git(root: Path, *args: str, text: bool = True) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=text, check=False)
    except OSError as exc:
        raise DataError([Problem(str(root), f"cannot run git: {exc}")]) from None


# --------------------------------------------------------------------------- comparing


def _key_value(row: tuple, width: int):
    """A row's key as the JSON shows it: the value for a one-column key, the list of values otherwise."""
    return row[0] if width == 1 else list(row)


def compare_table(name: str, key: list[str], old: pd.DataFrame, new: pd.DataFrame) -> dict:
    """Rows added, removed and corrected, and columns added and removed, of one table."""
    out = {
        "table": name,
        "status": "kept",
        "primary_key": key,
        "rows_before": len(old),
        "rows_after": len(new),
        "columns_added": [c for c in new.columns if c not in old.columns],
        "columns_removed": [c for c in old.columns if c not in new.columns],
        "added": [],
        "removed": [],
        "corrected": 0,
        "corrected_fields": {},
        "corrections": [],
    }
    if not key or not set(key) <= set(old.columns) or not set(key) <= set(new.columns):
        out["not_compared"] = "the primary key is not a column of both editions' table"
        return out
    old_rows = old.drop_duplicates(subset=key).set_index(key, drop=False)
    new_rows = new.drop_duplicates(subset=key).set_index(key, drop=False)

    def keys_of(frame):
        return [tuple(str(v) for v in (k if isinstance(k, tuple) else (k,))) for k in frame.index]

    old_keys, new_keys = keys_of(old_rows), keys_of(new_rows)
    old_set, new_set = set(old_keys), set(new_keys)
    out["added"] = [_key_value(k, len(key)) for k in new_keys if k not in old_set]
    out["removed"] = [_key_value(k, len(key)) for k in old_keys if k not in new_set]
    shared = [k for k in new_keys if k in old_set]
    common = [c for c in new.columns if c in old.columns and c not in key]
    if not shared or not common:
        return out
    index = pd.MultiIndex.from_tuples(shared) if len(key) > 1 else pd.Index([k[0] for k in shared])
    before = old_rows.reindex(index)[common].astype(str)
    after = new_rows.reindex(index)[common].astype(str)
    differs = before.ne(after)
    groups: dict[tuple[str, str, str], list] = {}
    fields: dict[str, int] = {}
    for i, k in enumerate(shared):
        changed = [c for c in common if differs.iat[i, common.index(c)]]
        if not changed:
            continue
        out["corrected"] += 1
        for c in changed:
            fields[c] = fields.get(c, 0) + 1
            groups.setdefault((c, before.iat[i, common.index(c)], after.iat[i, common.index(c)]), []).append(
                _key_value(k, len(key))
            )
    out["corrected_fields"] = {c: fields[c] for c in common if c in fields}
    out["corrections"] = [
        {"field": field, "from": was, "to": now, "rows": keys}
        for (field, was, now), keys in sorted(
            groups.items(), key=lambda item: (common.index(item[0][0]), str(item[1][0]))
        )
    ]
    return out


def compare_tables(old: Edition, new: Edition, old_pkg: dict, new_pkg: dict) -> tuple[list[dict], dict, dict]:
    """Every table's changes (in this edition's order, then the tables withdrawn), and both
    editions' tables as read, by name."""
    old_res = {r["name"]: r for r in old_pkg.get("resources", [])}
    new_res = {r["name"]: r for r in new_pkg.get("resources", [])}
    old_frames = {n: old.table(r) for n, r in old_res.items()}
    new_frames = {n: new.table(r) for n, r in new_res.items()}
    problems = [
        Problem(edition.where(f"data/{res[n]['path']}"), f"table {n!r} is in the data package but not in the files")
        for edition, res, frames in ((old, old_res, old_frames), (new, new_res, new_frames))
        for n in res
        if frames[n] is None
    ]
    if problems:
        raise DataError(problems)
    out = []
    for name, res in new_res.items():
        if name not in old_res:
            frame = new_frames[name]
            out.append(
                {
                    "table": name,
                    "status": "added",
                    "rows_before": 0,
                    "rows_after": len(frame),
                    "columns": list(frame.columns),
                }
            )
            continue
        key = list(res["schema"].get("primaryKey") or old_res[name]["schema"].get("primaryKey") or [])
        key = [key] if isinstance(key, str) else key
        out.append(compare_table(name, key, old_frames[name], new_frames[name]))
    for name in old_res:
        if name not in new_res:
            out.append({"table": name, "status": "removed", "rows_before": len(old_frames[name]), "rows_after": 0})
    return out, old_frames, new_frames


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def compare_claims(old: pd.DataFrame | None, new: pd.DataFrame | None) -> dict:
    """The verdicts and confidence that changed (with this edition's ``change_reason``), and the
    claims added and withdrawn."""
    old = old if old is not None else pd.DataFrame(columns=["claim_id"])
    new = new if new is not None else pd.DataFrame(columns=["claim_id"])
    before = old.drop_duplicates("claim_id").set_index("claim_id", drop=False)
    after = new.drop_duplicates("claim_id").set_index("claim_id", drop=False)
    verdicts, confidence = [], []
    for cid in after.index:
        if cid not in before.index:
            continue
        reason = _text(after.at[cid, "change_reason"]) if "change_reason" in after.columns else ""
        for field in (*VERDICTS, CONFIDENCE):
            if field not in before.columns or field not in after.columns:
                continue
            then, now = _text(before.at[cid, field]), _text(after.at[cid, field])
            if then != now:
                entry = {"claim_id": cid, "field": field, "then": then, "now": now, "reason": reason}
                (confidence if field == CONFIDENCE else verdicts).append(entry)

    def listing(frame, ids):
        return [
            {"claim_id": cid, "paraphrase": _text(frame.at[cid, "paraphrase"]) if "paraphrase" in frame.columns else ""}
            for cid in ids
        ]

    return {
        "verdicts": verdicts,
        "confidence": confidence,
        "claims_added": listing(after, [c for c in after.index if c not in before.index]),
        "claims_withdrawn": listing(before, [c for c in before.index if c not in after.index]),
    }


def evidence_dates(old_pkg: dict, new_pkg: dict, old_frames: dict, new_frames: dict) -> dict:
    """The cut-off dates each edition's data package states, and the newest row of the tables this
    edition's search log covers (those with ``x-searched-through``), computed for both editions
    with this edition's definition of a table's public date."""
    new_res = {r["name"]: r for r in new_pkg.get("resources", [])}
    old_res = {r["name"]: r for r in old_pkg.get("resources", [])}
    searched = [n for n, r in new_res.items() if r.get("x-searched-through")]

    def newest(frames, resources):
        dates = []
        for name in searched:
            frame = frames.get(name)
            if frame is None:
                continue
            desc = {
                **new_res[name],
                **{k: v for k, v in resources.get(name, {}).items() if k.startswith("x-public-date")},
            }
            if found := coverage.newest_row(desc, frame):
                dates.append(found)
        return max(dates) if dates else None

    return {
        "tables": searched,
        "before": {
            "stated": {k: old_pkg[k] for k in STATED_DATES if old_pkg.get(k)},
            "newest_row": newest(old_frames, old_res),
        },
        "after": {
            "stated": {k: new_pkg[k] for k in STATED_DATES if new_pkg.get(k)},
            "newest_row": newest(new_frames, new_res),
        },
    }


def history_problems(history: pd.DataFrame | None, old_claims: pd.DataFrame | None, version: str) -> list[Problem]:
    """Where ``data/claim_history.csv`` says edition ``version`` judged a claim otherwise than that
    edition's own ``data/claims.csv`` did (the record of past verdicts must be what was published)."""
    if history is None or old_claims is None or "edition" not in history.columns:
        return []
    published = old_claims.drop_duplicates("claim_id").set_index("claim_id")
    out = []
    for row_number, row in enumerate(history.to_dict("records"), start=1):
        if row["edition"] != version:
            continue
        if row["claim_id"] not in published.index:
            out.append(
                Problem(
                    HISTORY_FILE, f"edition {version} did not judge claim {row['claim_id']}", row_number, "claim_id"
                )
            )
            continue
        for field in (*VERDICTS, CONFIDENCE):
            if field in row and field in published.columns:
                was = _text(published.at[row["claim_id"], field])
                if _text(row[field]) != was:
                    out.append(
                        Problem(
                            HISTORY_FILE,
                            f"says edition {version} gave {row[field]!r}, but that edition's data/claims.csv gave {was!r}",
                            row_number,
                            field,
                        )
                    )
    return out


def compute(root: Path, old_commit: str, new_commit: str | None = None, old_version: str | None = None) -> dict:
    """The changes from the edition at ``old_commit`` to the one at ``new_commit`` (the working
    tree when None). With ``old_version``, the claim history's record of that edition must match its
    claims. A :class:`DataError` names what cannot be read."""
    old, new = Edition(Path(root), old_commit), Edition(Path(root), new_commit)
    for edition in (old, new):
        if not edition.has_commit():
            raise DataError([Problem(str(root), f"commit {edition.commit} is not in this clone's history")])
    old_pkg, new_pkg = old.package(), new.package()
    tables, old_frames, new_frames = compare_tables(old, new, old_pkg, new_pkg)
    old_keys, new_keys = old.source_keys(), new.source_keys()
    old_lower = {k.lower() for k in old_keys}
    new_lower = {k.lower() for k in new_keys}
    if old_version and (problems := history_problems(new_frames.get(HISTORY), old_frames.get(CLAIMS), old_version)):
        raise DataError(problems)
    out = compare_claims(old_frames.get(CLAIMS), new_frames.get(CLAIMS))
    out.update(
        {
            "tables": tables,
            "sources_added": sorted((k for k in new_keys if k.lower() not in old_lower), key=str.lower),
            "sources_removed": sorted((k for k in old_keys if k.lower() not in new_lower), key=str.lower),
            "evidence": evidence_dates(old_pkg, new_pkg, old_frames, new_frames),
        }
    )
    return out


def summary(changes: dict) -> dict:
    """The counts the page leads with."""
    kept = [t for t in changes["tables"] if t["status"] == "kept"]
    return {
        "verdicts_changed": len(changes["verdicts"]),
        "claims_with_a_changed_verdict": len({v["claim_id"] for v in changes["verdicts"]}),
        "confidence_changed": len(changes["confidence"]),
        "claims_added": len(changes["claims_added"]),
        "claims_withdrawn": len(changes["claims_withdrawn"]),
        "tables_added": sum(t["status"] == "added" for t in changes["tables"]),
        "tables_removed": sum(t["status"] == "removed" for t in changes["tables"]),
        "rows_added": sum(len(t["added"]) for t in kept)
        + sum(t["rows_after"] for t in changes["tables"] if t["status"] == "added"),
        "rows_removed": sum(len(t["removed"]) for t in kept)
        + sum(t["rows_before"] for t in changes["tables"] if t["status"] == "removed"),
        "rows_corrected": sum(t["corrected"] for t in kept),
        "sources_added": len(changes["sources_added"]),
        "sources_removed": len(changes["sources_removed"]),
    }


def report(root: Path, version: str, new_commit: str | None = None) -> dict:
    """What the page and its JSON download hold for edition ``version``: the previous edition (or
    None: this is the first), the counts and the changes."""
    previous = previous_release(releases(root), version)
    out: dict = {"edition": version, "previous": previous}
    if previous is None:
        return out
    changes = compute(root, previous["commit"], new_commit, previous["version"])
    out["summary"] = summary(changes)
    out.update(changes)
    return out
