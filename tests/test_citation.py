"""CITATION.cff is valid Citation File Format 1.2.0 and agrees with the package and the book."""

from __future__ import annotations

import importlib.util
import json
import re
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


# --------------------------------------------------------------------------- the edition: its address and how to cite it


def base_url() -> str:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["html"]["baseurl"]


def project_files(root: Path, changelog: str | None = None, listed: list[dict] | None = None) -> Path:
    """The files an edition's citation is made from, copied to ``root`` (the CHANGELOG and the
    list of releases replaced when given)."""
    for name in ("_config.yml", "CITATION.cff", "CHANGELOG.md", "releases.json"):
        (root / name).write_bytes((ROOT / name).read_bytes())
    if changelog is not None:
        (root / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
    if listed is not None:
        (root / "releases.json").write_text(json.dumps({"releases": listed}), encoding="utf-8")
    return root


def test_an_editions_address_is_the_books_address_and_its_version(tmp_path):
    from nkbook.core import releases

    assert releases.edition_url("1.0.0") == base_url() + "1.0.0/"
    assert releases.edition_url() == f"{base_url()}{nkbook.__version__}/"
    assert releases.latest_url() == base_url() + "latest/"
    with pytest.raises(ValueError, match="not a version"):
        releases.edition_url("latest")


def test_how_to_cite_names_the_edition_its_date_and_its_own_address():
    from nkbook.core import releases
    from nkbook.core.formats import day
    from nkbook.present import citation

    text = " ".join(citation.how_to_cite().split())
    released = releases.release_date()
    assert released is not None  # the book is at a release (listed or prepared)
    assert f"This is edition **{nkbook.__version__}** of the book, released on {day(released)}." in text
    assert f"Its own address is <{base_url()}{nkbook.__version__}/>." in text
    assert "Each edition stays at its own address" in text
    assert f"<{base_url()}latest/> always shows the newest edition" in text


def test_a_version_neither_listed_nor_dated_is_an_unreleased_build_without_a_date(tmp_path):
    from nkbook.present import citation

    root = project_files(tmp_path)
    text = " ".join(citation.how_to_cite("9.9.9", root).split())
    assert text.startswith("This is an unreleased build of version **9.9.9**")
    assert f"<{base_url()}9.9.9/>" in text and "released on" not in text
    assert not re.search(r"\d{1,2} [A-Z][a-z]+ \d{4}", text)  # no date is made up


def test_a_release_is_dated_by_the_list_or_else_by_its_changelog_heading(tmp_path):
    from nkbook.core import releases

    root = project_files(
        tmp_path,
        changelog="# Changelog\n\n## 1.1.0 (2026-12-06)\n\n- x\n\n## 1.0.0 (2026-11-22)\n",
        listed=[{"version": "1.0.0", "date": "2026-11-22", "commit": "4151d65d110e8859d95e716000e6834c388ecf63"}],
    )
    assert releases.release_date("1.0.0", root) == "2026-11-22"
    assert releases.release_date("1.1.0", root) == "2026-12-06"  # prepared, not listed yet
    assert releases.release_date("1.2.0", root) is None


@pytest.mark.parametrize(
    ("entry", "said"),
    [
        ({"version": "1.1", "date": "2026-12-06", "commit": "a" * 40}, "release 2, field 'version': '1.1' is not"),
        ({"version": "1.1.0", "date": "6 Dec 2026", "commit": "a" * 40}, "release 2, field 'date'"),
        ({"version": "1.1.0", "date": "2026-12-06", "commit": "abc"}, "release 2, field 'commit'"),
        ({"version": "1.1.0", "date": "2026-12-06"}, "release 2, field 'commit': missing"),
        (
            {"version": "0.9.0", "date": "2026-12-06", "commit": "a" * 40},
            "release 2, field 'version': 0.9.0 is not after",
        ),
        (
            {"version": "1.1.0", "date": "2026-11-01", "commit": "a" * 40},
            "release 2, field 'date': 2026-11-01 is before",
        ),
    ],
)
def test_a_bad_entry_in_the_list_of_releases_is_named(tmp_path, entry, said):
    from nkbook.core import releases
    from nkbook.core.errors import DataError

    first = {"version": "1.0.0", "date": "2026-11-22", "commit": "4151d65d110e8859d95e716000e6834c388ecf63"}
    root = project_files(tmp_path, listed=[first, entry])
    with pytest.raises(DataError) as caught:
        releases.releases(root)
    assert "releases.json, " + said in str(caught.value)


def test_bibtex_entry_gives_the_editions_date_and_own_address():
    from nkbook.core import releases

    entry = bibtex_from_citation_cff(ROOT / "CITATION.cff")
    assert f"  url = {{{base_url()}{nkbook.__version__}/}},\n" in entry
    assert f"  date = {{{releases.release_date()}}},\n" in entry


def test_bibtex_entry_of_an_unreleased_build_says_so_and_has_no_date(tmp_path):
    c = cff()
    c.pop("date-released")
    (tmp_path / "CITATION.cff").write_text(yaml.safe_dump(c), encoding="utf-8")
    entry = bibtex_from_citation_cff(tmp_path / "CITATION.cff")
    assert "date =" not in entry and "year =" not in entry and "note = {Unreleased build. Code" in entry


def test_the_extension_registers_the_edition_directive():
    from unittest import mock

    from nkbook.publish import sphinx_ext

    app = mock.Mock()
    sphinx_ext.setup(app)
    assert {"nkbook-edition", "nkbook-bibtex"} <= {c.args[0] for c in app.add_directive.call_args_list}
    page = (ROOT / "book" / "how-to-cite.md").read_text(encoding="utf-8")
    assert "```{nkbook-edition}\n```" in page and "```{nkbook-bibtex}\n```" in page


# --------------------------------------------------------------------------- CITATION.cff and .zenodo.json, written by code


def test_citation_files_are_what_sync_writes():
    """Fails when ``__version__`` (or the release's date) changes and ``sync`` was not run."""
    from nkbook.publish import release

    expected = release.written(ROOT)
    assert (ROOT / "CITATION.cff").read_text(encoding="utf-8") == expected["CITATION.cff"]
    assert (ROOT / ".zenodo.json").read_text(encoding="utf-8") == expected[".zenodo.json"]


def test_a_version_bumped_without_sync_is_caught(tmp_path):
    from nkbook.publish import release

    root = project_files(tmp_path)
    (root / ".zenodo.json").write_bytes((ROOT / ".zenodo.json").read_bytes())
    (root / "src" / "nkbook").mkdir(parents=True)
    init = (ROOT / "src" / "nkbook" / "__init__.py").read_text(encoding="utf-8")
    (root / "src" / "nkbook" / "__init__.py").write_text(
        init.replace(f'__version__ = "{nkbook.__version__}"', '__version__ = "7.0.0"'), encoding="utf-8"
    )
    assert release.out_of_sync(root) == ["CITATION.cff", ".zenodo.json"]
    assert release.main(["check"], root=root) == 1
    assert release.sync(root) == ["CITATION.cff", ".zenodo.json"] and release.out_of_sync(root) == []
    c = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    assert (c["version"], c["url"], "date-released" in c) == ("7.0.0", base_url() + "7.0.0/", False)
    assert [e.message for e in validator().iter_errors(c)] == []


def test_zenodo_json_describes_the_release():
    from nkbook.core import releases

    z = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    c = cff()
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert (z["version"], z["publication_date"]) == (nkbook.__version__, releases.release_date())
    assert (z["version"], z["publication_date"]) == (c["version"], str(c["date-released"]))
    assert (z["title"], z["upload_type"], z["license"]) == (c["title"], "software", "MIT")
    assert z["creators"] == [{"name": a["name"]} for a in c["authors"]] and z["keywords"] == c["keywords"]
    assert {"identifier": config["repository"]["url"], "relation": "isSupplementTo", "scheme": "url"} in z[
        "related_identifiers"
    ]
    assert "CC-BY-4.0" in z["notes"] and c["license"] == ["MIT", "CC-BY-4.0"]
    assert c["url"] == f"{base_url()}{nkbook.__version__}/"
