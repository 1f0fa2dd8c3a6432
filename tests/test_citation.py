"""CITATION.cff is valid Citation File Format 1.2.0 and agrees with the package and the book."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

import nkbook
from conftest import ROOT
from nkbook.publish.sphinx_ext import bibtex_from_citation_cff


def cff_schema() -> dict:
    # Located without importing cffconvert, whose own dependencies are not installed (see requirements-nodeps.txt).
    spec = importlib.util.find_spec("cffconvert")
    assert spec is not None, "cffconvert is not installed: make installs it from requirements-nodeps.txt"
    path = Path(spec.submodule_search_locations[0]) / "schemas" / "1.2.0" / "schema.json"
    return json.loads(path.read_text(encoding="utf-8"))


def validator():
    return jsonschema.Draft7Validator(cff_schema(), format_checker=jsonschema.FormatChecker())


def cff():
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_citation_cff_is_valid():
    assert [e.message for e in validator().iter_errors(cff())] == []


@pytest.mark.parametrize(
    "break_it",
    [
        lambda c: c.pop("authors"),
        lambda c: c.update({"cff-version": "9.9"}),
        lambda c: c.update({"repository-code": "not a url"}),
    ],
)
def test_schema_catches_a_broken_citation(break_it):
    c = cff()
    break_it(c)
    assert list(validator().iter_errors(c))


def test_version_and_repository_agree():
    c = cff()
    assert c["version"] == nkbook.__version__
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert c["repository-code"] == config["repository"]["url"]
    assert "version" not in config  # one source of truth: the package


def test_bibtex_entry_made_from_citation_cff():
    entry = bibtex_from_citation_cff(ROOT / "CITATION.cff")
    assert entry.startswith(f"@software{{dprk_russia_book_{nkbook.__version__.replace('.', '_')},")
    assert f"version = {{{nkbook.__version__}}}" in entry


def test_commit_is_read_from_git_and_marks_local_changes(tmp_path, monkeypatch):
    import subprocess

    from nkbook.publish.sphinx_ext import source_commit

    monkeypatch.delenv("NKBOOK_COMMIT", raising=False)
    assert source_commit(tmp_path) == "unknown"  # not a git work tree
    run = lambda *a: subprocess.run(["git", *a], cwd=tmp_path, check=True, capture_output=True)  # noqa: E731
    run("init", "-q")
    (tmp_path / "f.txt").write_text("one\n")
    run("add", "f.txt")
    run("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "one")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True).stdout.strip()
    assert source_commit(tmp_path) == head and len(head) == 40
    (tmp_path / "untracked.txt").write_text("not part of the build's history\n")
    assert source_commit(tmp_path) == head
    (tmp_path / "f.txt").write_text("two\n")
    assert source_commit(tmp_path) == head + "+modified"
    monkeypatch.setenv("NKBOOK_COMMIT", "0123456789ab")
    assert source_commit(tmp_path) == "0123456789ab"
