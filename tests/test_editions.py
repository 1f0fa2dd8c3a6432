"""Editions (``make editions``): every release side by side, each its own build's bytes plus the
edition bar, which links each page to the same page in every other edition and, on an old
edition, says that a newer one exists. The unit tests work on small trees in ``tmp_path``; the
others read ``_build/editions`` as ``make editions`` left it (``make test`` makes it first)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import nkbook
from conftest import HTML, ROOT
from nkbook.core.errors import DataError
from nkbook.publish import editions as ed
from nkbook.publish.browser import found as chromium_found

OUT = ROOT / ed.OUT


def _tree(base: Path, pages: dict[str, str]) -> Path:
    for name, text in pages.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return base


PAGE = '<!DOCTYPE html>\n<html><head><title>{t}</title></head>\n<body class="x">\n<h1>{t}</h1>\n</body></html>\n'
OLD = ed.Edition("1.0.0", "2026-11-22", "4151d65d110e8859d95e716000e6834c388ecf63")
NEW = ed.Edition("1.1.0", "2026-12-06", None)


def _pages() -> dict[str, set[str]]:
    return {
        "1.1.0": {"index.html", "book/claims.html", "book/changes.html"},
        "1.0.0": {"index.html", "book/claims.html"},
    }


def test_the_bar_links_each_page_to_itself_in_every_other_edition():
    """In 1.0.0, book/claims.html links to 1.1.0's claims page, relative to itself (so that it works
    from a file or a local server), and says that it is an old edition; in 1.1.0 a page 1.0.0 does
    not have links to 1.0.0's front page, and there is no old-edition note."""
    found = [NEW, OLD]
    old = ed.edition_bar("book/claims.html", OLD, found, _pages())
    assert 'href="../../1.1.0/book/claims.html"' in old
    assert "You are reading edition 1.0.0 of 22 November 2026" in old
    assert 'aria-current="page"><strong>1.0.0</strong>' in old
    assert "1.1.0 (latest)" in old
    new = ed.edition_bar("book/changes.html", NEW, found, _pages())
    assert 'href="../../1.0.0/index.html"' in new
    assert 'class="nkb-edition-old"' not in new
    top = ed.edition_bar("index.html", NEW, found, _pages())
    assert 'href="../1.0.0/index.html"' in top
    # what changed: 1.1.0 has the page, 1.0.0 does not
    assert '<a class="nkb-edition-changes" href="../../1.1.0/book/changes.html">What changed in 1.1.0</a>' in new
    assert 'href="../1.1.0/book/changes.html"' in top
    assert "What changed" not in old


def test_an_unreleased_build_is_named_so_and_never_given_a_date(tmp_path):
    (tmp_path / "releases.json").write_text(json.dumps({"releases": [OLD.__dict__]}), encoding="utf-8")
    found = ed.editions(tmp_path, current="1.1.0")
    assert [e.version for e in found] == ["1.1.0", "1.0.0"]
    assert found[0] == ed.Edition("1.1.0", None, None)
    assert found[0].label == "1.1.0 (unreleased)"
    assert found[1] == OLD
    bar = ed.edition_bar("index.html", OLD, found, {"1.1.0": {"index.html"}, "1.0.0": {"index.html"}})
    assert "latest edition, 1.1.0</a>" in bar  # no date: none is invented


def test_the_tagged_commit_takes_its_date_from_its_changelog_heading(tmp_path):
    """The release commit (tagged, built by the deploy workflow) is not listed yet: the list names
    it in the commit after. Its CHANGELOG heading gives its date."""
    (tmp_path / "releases.json").write_text(json.dumps({"releases": [OLD.__dict__]}), encoding="utf-8")
    (tmp_path / "CHANGELOG.md").write_text("# Changes\n\n## 1.1.0 (2026-12-06)\n\n- x\n\n## 1.0.0 (2026-11-22)\n")
    assert ed.editions(tmp_path, current="1.1.0")[0] == ed.Edition("1.1.0", "2026-12-06", None)
    assert ed.editions(tmp_path, current="1.2.0")[0].date is None


def test_the_listed_current_version_is_this_working_tree(tmp_path):
    listed = [OLD.__dict__, {"version": "1.1.0", "date": "2026-12-06", "commit": "a" * 40}]
    (tmp_path / "releases.json").write_text(json.dumps({"releases": listed}), encoding="utf-8")
    found = ed.editions(tmp_path, current="1.1.0")
    assert found == [ed.Edition("1.1.0", "2026-12-06", None), OLD]


@pytest.mark.parametrize(
    ("listing", "expected"),
    [
        ('{"releases": [{"version": "1.0.0", "date": "2026-11-22"}]}', "release 1.*commit.*missing"),
        ('{"releases": [{"version": "", "date": "2026-11-22", "commit": "x"}]}', "release 1.*version"),
        ('{"items": []}', "a list 'releases'"),
        ("{", "not valid JSON"),
    ],
)
def test_a_bad_list_of_releases_is_named(tmp_path, listing, expected):
    (tmp_path / "releases.json").write_text(listing, encoding="utf-8")
    with pytest.raises(DataError, match=expected):
        ed.editions(tmp_path, current="1.1.0")


def test_the_bar_comes_out_again_byte_for_byte():
    page = PAGE.format(t="Claims")
    bar = ed.edition_bar("book/claims.html", OLD, [NEW, OLD], _pages())
    with_it = ed.with_bar(page, bar)
    assert with_it != page and with_it.index(ed.BEGIN) == page.index("<h1>")
    assert ed.without_bar(with_it) == page


def test_publish_puts_the_bar_on_every_page_and_keeps_every_other_byte(tmp_path):
    source = _tree(
        tmp_path / "src",
        {"index.html": PAGE.format(t="Front"), "book/claims.html": PAGE.format(t="Claims"), "_static/x.css": "a{}"},
    )
    target = tmp_path / "out" / "1.0.0"
    pages = {"1.0.0": {"index.html", "book/claims.html"}, "1.1.0": {"index.html"}}
    assert ed.publish(source, target, OLD, [NEW, OLD], pages) == 2
    assert (target / "_static" / "x.css").read_text() == "a{}"
    claims = (target / "book" / "claims.html").read_text()
    assert 'href="../../1.1.0/index.html"' in claims
    assert ed.without_bar(claims) == PAGE.format(t="Claims")
    assert not (tmp_path / "out" / "1.0.0.tmp").exists()


def test_an_old_edition_already_built_from_its_commit_is_not_built_again(tmp_path, monkeypatch):
    work = _tree(tmp_path / ed.SOURCES / "1.0.0" / "_build" / "html", {"index.html": PAGE.format(t="Front")})
    (tmp_path / ed.SOURCES / "1.0.0" / ed.BUILT_STAMP).write_text(OLD.commit + "\n")

    def refuse(*args, **kwargs):
        raise AssertionError(f"ran {args[0]}")

    monkeypatch.setattr(subprocess, "run", refuse)
    assert ed.source_build(tmp_path, OLD) == (work, False)


def test_an_old_edition_whose_build_was_killed_is_built_again(tmp_path, monkeypatch):
    """A worktree with a half-made build and no stamp (a killed ``make editions``) is built again,
    and the stamp is written only once ``make book`` has succeeded there."""
    work = tmp_path / ed.SOURCES / "1.0.0"
    _tree(work / "_build" / "html", {"index.html": "half"})
    (work / ".git").write_text("gitdir: elsewhere\n")
    calls = []

    def git(root, *args):
        calls.append(args)
        out = OLD.commit if args[:1] == ("rev-parse",) else ""
        return subprocess.CompletedProcess(args, 0, out + "\n", "")

    def make(cmd, cwd, env, stdout, stderr):
        calls.append(tuple(cmd))
        assert env["NKBOOK_SHARED"] and "VIRTUAL_ENV" not in env
        assert not (Path(cwd) / ed.BUILT_STAMP).exists()  # no stamp while it builds
        (Path(cwd) / "_build" / "html" / "index.html").write_text(PAGE.format(t="Front"))
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(ed, "_git", git)
    monkeypatch.setattr(subprocess, "run", make)
    assert ed.source_build(tmp_path, OLD) == (work / "_build" / "html", True)
    assert ("make", "book") in calls
    assert (work / ed.BUILT_STAMP).read_text() == OLD.commit + "\n"


def test_an_old_edition_that_fails_to_build_is_named_and_not_stamped(tmp_path, monkeypatch):
    work = tmp_path / ed.SOURCES / "1.0.0"
    work.mkdir(parents=True)
    (work / ".git").write_text("gitdir: elsewhere\n")
    monkeypatch.setattr(ed, "_git", lambda root, *a: subprocess.CompletedProcess(a, 0, OLD.commit + "\n", ""))

    def make(cmd, cwd, env, stdout, stderr):
        stdout.write("chapter troops failed\n")
        return subprocess.CompletedProcess(cmd, 2)

    monkeypatch.setattr(subprocess, "run", make)
    with pytest.raises(ed.EditionError, match=r"(?s)edition 1.0.0: make book failed \(exit 2\).*chapter troops failed"):
        ed.source_build(tmp_path, OLD)
    assert not (work / ed.BUILT_STAMP).exists()


def test_publish_replaces_what_a_killed_run_left(tmp_path):
    """A staging folder left by a killed run is discarded, and the edition is replaced whole."""
    source = _tree(tmp_path / "src", {"index.html": PAGE.format(t="Front")})
    out = tmp_path / "out"
    _tree(out / "1.0.0.tmp", {"stray.html": "half"})
    _tree(out / "1.0.0", {"index.html": "old", "gone.html": "old"})
    ed.publish(source, out / "1.0.0", OLD, [NEW, OLD], {"1.0.0": {"index.html"}, "1.1.0": {"index.html"}})
    assert sorted(p.name for p in (out / "1.0.0").iterdir()) == ["index.html"]
    assert sorted(p.name for p in out.iterdir()) == ["1.0.0"]


def test_editions_need_the_built_book(tmp_path):
    with pytest.raises(ed.EditionError, match="no built book: run `make book` first"):
        ed.build_editions(tmp_path)


def test_a_release_whose_commit_is_missing_says_how_to_get_it(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    with pytest.raises(ed.EditionError, match=r"commit 4151d65d.* is not in this clone .*git fetch --unshallow"):
        ed.source_build(tmp_path, OLD)


def test_switcher_json_lists_the_editions_at_their_addresses(tmp_path):
    (tmp_path / "_config.yml").write_text("html:\n  baseurl: https://example.org/book/\n", encoding="utf-8")
    items = json.loads(ed.switcher_json(tmp_path, [NEW, OLD]))
    assert items == [
        {"name": "1.1.0 (latest)", "version": "1.1.0", "url": "https://example.org/book/1.1.0/", "preferred": True},
        {"name": "1.0.0", "version": "1.0.0", "url": "https://example.org/book/1.0.0/"},
    ]


# What make editions left: every listed release and this build.
built_editions = pytest.mark.skipif(not (HTML / "index.html").is_file(), reason="no built book: run `make book` first")


def _listed() -> list[ed.Edition]:
    assert (OUT / "switcher.json").is_file(), f"{OUT} is missing or incomplete: run `make editions`"
    return ed.editions(ROOT)


def _files(tree: Path) -> dict[str, Path]:
    return {
        p.relative_to(tree).as_posix(): p for p in tree.rglob("*") if p.is_file() and not p.name.startswith(".nkbook-")
    }


def _same_but_the_bar(edition_tree: Path, own_build: Path) -> list[str]:
    ours, theirs = _files(edition_tree), {k: v for k, v in _files(own_build).items() if not k.startswith(".doctrees/")}
    problems = [f"{name}: only in one of them" for name in sorted(set(ours) ^ set(theirs))]
    for name in sorted(set(ours) & set(theirs)):
        a, b = ours[name].read_bytes(), theirs[name].read_bytes()
        if name.endswith(".html"):
            a = ed.without_bar(a.decode("utf-8")).encode("utf-8")
        if a != b:
            problems.append(f"{name}: differs")
    return problems


@built_editions
def test_every_edition_is_there_with_its_bar():
    listed = _listed()
    assert len(listed) >= 2, "make editions should show at least 1.0.0 and this build"
    assert {e.version for e in listed} >= {"1.0.0", nkbook.__version__}
    for e in listed:
        front = (OUT / e.version / "book" / "intro.html").read_text(encoding="utf-8")
        assert f'data-edition="{e.version}"' in front
    assert (OUT / "latest" / "index.html").read_bytes() == (OUT / listed[0].version / "index.html").read_bytes()
    switcher = json.loads((OUT / "switcher.json").read_text(encoding="utf-8"))
    assert [item["version"] for item in switcher] == [e.version for e in listed]


@built_editions
def test_old_editions_are_their_own_build_but_for_the_bar():
    """1.0.0's pages (and every other old edition's) are byte for byte what its own make book
    built from its commit, and this edition's are _build/html's, once the bar is taken out."""
    for e in _listed():
        own = HTML if e.commit is None else ROOT / ed.SOURCES / e.version / "_build" / "html"
        assert _same_but_the_bar(OUT / e.version, own) == [], e.version


@built_editions
def test_release_1_0_0_is_rebuilt_from_its_own_commit():
    stamp = ROOT / ed.SOURCES / "1.0.0" / ed.BUILT_STAMP
    assert stamp.read_text().strip() == "4151d65d110e8859d95e716000e6834c388ecf63"
    footer = (OUT / "1.0.0" / "book" / "intro.html").read_text(encoding="utf-8")
    assert "4151d65" in footer


@pytest.mark.browser
@built_editions
@pytest.mark.skipif(not chromium_found(), reason="no Chromium")
@pytest.mark.parametrize("width", [390, 1280])
def test_the_switcher_works_offline_between_editions(width):
    """In headless Chromium, with every request that is not a local file refused: from 1.0.0's
    claims page, the bar's link to the latest edition opens the same page there, and its link back
    opens 1.0.0's; the old-edition note is seen on 1.0.0 only; the bar fits the window."""
    from playwright.sync_api import sync_playwright

    from nkbook.publish.browser import LAUNCH_ARGS, chromium

    latest = _listed()[0]
    old = OUT / "1.0.0" / "book" / "claims.html"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium()), args=list(LAUNCH_ARGS))
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            refused = []
            page.route(
                "**/*",
                lambda r: (
                    r.continue_() if r.request.url.startswith("file:") else (refused.append(r.request.url), r.abort())
                ),
            )
            page.goto(old.as_uri())
            bar = page.locator(".nkb-edition")
            assert bar.is_visible()
            assert page.locator(".nkb-edition-old").is_visible()
            assert page.evaluate("() => document.querySelector('.nkb-edition').scrollWidth <= window.innerWidth")
            page.locator(f'.nkb-edition li a[href="../../{latest.version}/book/claims.html"]').click()
            page.wait_for_load_state("load")
            assert page.url == (OUT / latest.version / "book" / "claims.html").as_uri()
            assert page.locator(".nkb-edition-old").count() == 0
            assert page.locator(".bd-article h1").first.is_visible()
            page.locator('.nkb-edition li a[href="../../1.0.0/book/claims.html"]').click()
            page.wait_for_load_state("load")
            assert page.url == old.as_uri()
        finally:
            browser.close()


@pytest.mark.browser
@built_editions
@pytest.mark.skipif(not chromium_found(), reason="no Chromium")
@pytest.mark.parametrize("mode", ["light", "dark"])
def test_the_bar_has_no_serious_accessibility_issue(mode):
    """axe-core (the pinned copy) on the bar of an old and of the newest edition, in light and dark
    mode: no violation of serious or critical impact (contrast of the note and the links above all)."""
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    from playwright.sync_api import sync_playwright

    from nkbook.publish.browser import LAUNCH_ARGS, chromium

    found = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium()), args=list(LAUNCH_ARGS))
        try:
            page = browser.new_page(viewport={"width": 390, "height": 900}, color_scheme=mode)
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
            for e in _listed():
                page.goto((OUT / e.version / "book" / "claims.html").as_uri())
                assert page.evaluate("() => document.documentElement.dataset.theme") == mode
                result = axe_module.Axe().run(page, context=".nkb-edition", options={"resultTypes": ["violations"]})
                found += [
                    f"{e.version}: {v['id']} ({v['impact']}): {v['help']}"
                    for v in result.response["violations"]
                    if v["impact"] in ("serious", "critical")
                ]
        finally:
            browser.close()
    assert found == []
