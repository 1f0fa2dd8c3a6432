"""Measure the Release 1.0 performance goals and print them as a Markdown table.

    .venv/bin/python tools/benchmark.py [--skip-install] [--with-tests] [--json FILE] [--rev COMMIT] [--keep]

This is a report, not a test: it exits 0 when a goal is missed, and says so. Everything happens in
a throw-away copy of the tracked files (``git ls-files``, as they are in the working tree; with
``--rev``, a commit's files) in a temporary folder, so the project's own ``_build`` and ``.venv``
are never touched. Each step is a subprocess timed with ``time.perf_counter()``:

1. install from the lock: a fresh venv and the three pip commands of the Makefile's ``$(STAMP)``
   rule (``--skip-install`` reuses the project's ``.venv`` instead, with the copy's ``src`` first
   on ``PYTHONPATH``);
2. cold build (``python -m nkbook.publish.build``, every chapter executed); 3. a second build, nothing
   changed; 4. a rebuild after changing one sentence of prose; 5. a rebuild after changing one
   value of one table (``make data`` first, timed apart), checked against
   ``book/_dependencies.json`` and against the built page; 6. nbval (``pytest book/``, serial);
   7. the pure execution floor: every chapter executed once in memory with nbclient, one after
   another, run right after the cold build (the machine may be shared: both should meet the same
   load); the cold build's HTML is reported as a multiple of it; 8. page weight; 9. ``make check``
   (if the Makefile has it); 10. with ``--with-tests``, the pytest part of ``make test`` (about a
   quarter of an hour). ``make`` runs its recipe alone (``-o``: the environment, the system packages
   and the book are taken as made) with the venv of step 1.

A build's time is split into the HTML and, where the driver prints one, the PDF edition.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from nkbook.publish import reproducible

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NKBOOK_SHARED") or ROOT.parent / "shared")
KB = 1000  # page weights in kilobytes of 1000 bytes (the stricter reading of "300 KB")
GOAL_REBUILD, GOAL_NBVAL, GOAL_PAGE_KB = 0.10, 1.3, 300
GOAL_COLD = 0.8  # the cold build's HTML, as a multiple of the sequential execution floor
GOAL_CHECK = 60  # seconds for `make check`
GOAL_TESTS = 859 / 2  # the pytest part of `make test`: half of 14 min 19 s (before issue 13)
# The prose edit: one sentence of a markdown cell; the data edit: one value of one table.
PROSE = (
    "book/troops.ipynb",
    "It leaves out plans, projections and increments, which follow in a table.",
    "It leaves out plans, projections and increments; a table lists them below.",
)
TABLE, OLD, NEW = "dprk_trade", "6390000000,US$6.39 billion", "6391000000,US$6.39 billion"
PAGE, MARK = "book/flows.html", '"value_m":6391.0'
PIP = ["-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
# Run by the venv's Python in the copy: each chapter executed in memory as `make notebooks` runs
# it (nkbook.publish.execute.run), kernel start included, nothing written; each chapter's seconds as JSON.
FLOOR = """
import json, time
from pathlib import Path
import nbformat
from nkbook.publish.execute import run
times = {}
for path in sorted(Path('book').resolve().glob('*.ipynb')):
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    run(nb, path.parent)
    times['book/' + path.name] = time.perf_counter() - start
print(json.dumps(times))
"""
DECISION = re.compile(r"^(shared inputs changed|tables changed|no input changed).*$", re.M)  # the driver's line
MARK_HTML = "Finished generating HTML"  # Jupyter Book's last line: what follows is the PDF edition, if any
DRIVER = re.compile(r"re-executing the (\d+) chapter\(s\) that read them: (.*)$", re.M)


def tracked_copy(dest: Path, rev: str | None = None) -> Path:
    """The tracked files (as the reproducibility test copies them), or a commit's."""
    dest.mkdir(parents=True)
    if rev:
        tar = subprocess.run(["git", "archive", "--format=tar", rev], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=tar, check=True)
        return dest
    return reproducible.tracked_copy(ROOT, dest)


def run(name: str, cmd: list[str], cwd: Path, env: dict, logs: Path, check: bool = True):
    """Run one command; return (seconds, its output, exit status, seconds until a line held
    ``MARK_HTML``, or None). The output goes to ``logs/NAME.log`` too."""
    start, at, lines = time.perf_counter(), None, []
    with subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        for line in proc.stdout:
            lines.append(line)
            if at is None and MARK_HTML in line:
                at = time.perf_counter() - start
    seconds, out = time.perf_counter() - start, "".join(lines)
    (logs / f"{name}.log").write_text(out, encoding="utf-8")
    print(f"  {name}: {seconds:.1f} s (exit {proc.returncode})", file=sys.stderr, flush=True)
    if check and proc.returncode != 0:
        sys.exit(f"{name} failed (exit {proc.returncode}):\n{out[-3000:]}")
    return seconds, out, proc.returncode, at


def cache_records(copy: Path) -> dict[str, int]:
    """Chapter -> its record in the execution cache; a new record means the chapter was executed."""
    folder = copy / "_build" / ".jupyter_cache"
    if not folder.is_dir():
        return {}
    from jupyter_cache import get_cache

    return {Path(r.uri).relative_to(copy).as_posix(): r.pk for r in get_cache(str(folder)).list_cache_records()}


def build(name: str, python: str, copy: Path, env: dict, logs: Path) -> dict:
    """One run of the build driver: its seconds, its decision and the chapters it executed."""
    before, load = cache_records(copy), os.getloadavg()[0]
    seconds, out, _, html = run(name, [python, "-m", "nkbook.publish.build"], copy, env, logs)
    after = cache_records(copy)
    executed = sorted(k for k, pk in after.items() if before.get(k) != pk)
    decision = DECISION.search(out)
    return {
        "seconds": seconds,
        "decision": decision.group(0) if decision else "",
        "executed": executed,
        "html_seconds": html,
        "pdf": "PDF edition: " in out and "pages unchanged" not in out,
        "load": load,  # the machine's 1-minute load average as it started
    }


def make_target(target: str, venv: Path, copy: Path, env: dict, logs: Path) -> dict:
    """Time ``make TARGET``'s own recipe in the copy, with this venv; "available": False if the
    copy's Makefile has no such target."""
    makefile = (copy / "Makefile").read_text(encoding="utf-8")
    if not re.search(rf"^{re.escape(target)}:", makefile, re.M):
        return {"available": False}
    taken_as_made = [f"{venv}/.installed", "system-deps", "book"]  # $(STAMP) and the prerequisites
    cmd = ["make", "--no-print-directory", f"VENV={venv}", *(f"-o{t}" for t in taken_as_made), target]
    seconds, out, code, _ = run(f"make-{target}", cmd, copy, env, logs, check=False)
    summary = [line for line in out.splitlines() if re.search(r"\d+ (passed|failed|error)", line)]
    return {
        "available": True,
        "seconds": seconds,
        "exit": code,
        "summary": summary[-1].strip("= ") if summary else out.strip()[-200:],
    }


def edit_prose(copy: Path) -> None:
    """Change one sentence of a markdown cell, writing the notebook as nkbook.publish.execute does."""
    import nbformat

    path = copy / PROSE[0]
    nb = nbformat.read(path, as_version=4)
    cell = next((c for c in nb.cells if c.cell_type == "markdown" and PROSE[1] in c.source), None)
    if cell is None:
        sys.exit(f"{PROSE[0]}: the sentence to edit is gone; update PROSE in {__file__}")
    cell.source = cell.source.replace(PROSE[1], PROSE[2])
    nbformat.validate(nb)
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")


class Loads(HTMLParser):
    """The resources a browser loads to show a page (not the pages it merely links to)."""

    ATTR = {
        "script": "src",
        "img": "src",
        "iframe": "src",
        "source": "src",
        "embed": "src",
        "video": "src",
        "audio": "src",
        "object": "data",
    }

    def __init__(self):
        super().__init__()
        self.refs: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and {"stylesheet", "preload", "modulepreload", "icon"} & set(
            (a.get("rel") or "").lower().split()
        ):
            self.refs.add(a.get("href") or "")
        elif tag in self.ATTR:
            self.refs.add(a.get(self.ATTR[tag]) or "")


def page_weights(html: Path) -> dict:
    """Each page's bytes plus those of the resources it loads that not every page shares."""
    pages = {}
    for page in sorted(p for p in html.rglob("*.html") if "_static" not in p.relative_to(html).parts):
        parser = Loads()
        text = page.read_text(encoding="utf-8")
        parser.feed(text)
        refs = set()
        for ref in parser.refs:
            parts = urlsplit(ref)
            if ref and not parts.scheme and not parts.netloc and parts.path:
                target = (page.parent / unquote(parts.path)).resolve()
                if target.is_file() and html.resolve() in target.parents:
                    refs.add(target)
        # Jupyter Book's index.html only forwards to the first page: it shares nothing
        pages[page.relative_to(html).as_posix()] = (
            page.stat().st_size,
            refs,
            text.startswith('<meta http-equiv="Refresh"'),
        )
    shared = set.intersection(*(refs for _, refs, stub in pages.values() if not stub))
    chart = (html / "_static" / "nkbook-vega.js").resolve()
    weights = {
        name: size + sum(r.stat().st_size for r in refs - shared - {chart}) for name, (size, refs, _) in pages.items()
    }
    heaviest = max(weights, key=weights.get)
    return {
        "pages": len(weights),
        "heaviest": heaviest,
        "heaviest_kb": weights[heaviest] / KB,
        "chart_library_kb": chart.stat().st_size / KB,
        "chart_library_shared": chart in shared,
        "shared_kb": sum(r.stat().st_size for r in shared - {chart}) / KB,
        "shared_files": len(shared - {chart}),
        "shared_largest_kb": {
            r.relative_to(html.resolve()).as_posix(): round(r.stat().st_size / KB, 1)
            for r in sorted(shared - {chart}, key=lambda r: -r.stat().st_size)[:5]
        },
        "weights_kb": {k: round(v / KB, 1) for k, v in sorted(weights.items(), key=lambda kv: -kv[1])},
    }


def pip_cache_state(python: str) -> str:
    folder = subprocess.run([python, "-m", "pip", "cache", "dir"], capture_output=True, text=True).stdout.strip()
    size = (
        sum(f.stat().st_size for f in Path(folder).rglob("*") if f.is_file()) if folder and Path(folder).is_dir() else 0
    )
    config = subprocess.run([python, "-m", "pip", "config", "list"], capture_output=True, text=True).stdout.splitlines()
    found = ", ".join(
        dict.fromkeys(line.split("=", 1)[1].strip("'") for line in config if "index" in line or "find-links" in line)
    )
    return (f"warm pip cache ({size / 1e6:.0f} MB)" if size else "cold pip cache (empty)") + (
        f"; pip sources: {found}" if found else ""
    )


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    args.add_argument("--skip-install", action="store_true", help="reuse the project's .venv instead of installing")
    args.add_argument(
        "--with-tests", action="store_true", help="also time the pytest part of `make test` (about 15 minutes)"
    )
    args.add_argument("--json", type=Path, help="also write the figures to this file")
    args.add_argument("--rev", help="copy this commit's files instead of the working tree's tracked files")
    args.add_argument("--keep", action="store_true", help="keep the temporary folder (copy, logs) and print its path")
    opts = args.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="nkbook-benchmark-"))
    copy, logs = tracked_copy(tmp / "copy", opts.rev), tmp / "logs"
    logs.mkdir()
    print(f"working in {tmp}", file=sys.stderr)

    def git(*a):
        return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    commit = git(
        "rev-parse", "--short=10", opts.rev or "HEAD"
    )  # as the footer says it: +modified for a changed work tree
    commit += "" if opts.rev or not git("status", "--porcelain", "--untracked-files=no") else "+modified"
    base = {k: v for k, v in os.environ.items() if not k.startswith("NKBOOK_")}
    r: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "date": datetime.datetime.now().astimezone().isoformat(timespec="minutes"),
            "load_at_start": [round(x, 2) for x in os.getloadavg()],
            "commit": commit,
        }
    }
    try:
        # 1. install from the lock, as the Makefile's $(STAMP) rule does
        if opts.skip_install:
            venv = ROOT / ".venv"
            r["install"] = {"seconds": None, "note": "skipped: the project's .venv is reused"}
        else:
            venv = copy / ".venv"
            cache = pip_cache_state("python3.11")
            start = time.perf_counter()
            run("install-venv", ["python3.11", "-m", "venv", str(venv)], copy, base, logs)
            python = str(venv / "bin" / "python")
            run("install-lock", [python, *PIP, "-r", "requirements.lock"], copy, base, logs)
            run("install-nodeps", [python, *PIP, "--no-deps", "-r", "requirements-nodeps.txt"], copy, base, logs)
            run("install-package", [python, *PIP, "--no-deps", "--no-build-isolation", "-e", "."], copy, base, logs)
            r["install"] = {"seconds": time.perf_counter() - start, "note": cache}
        python = str(venv / "bin" / "python")
        env = {
            **base,
            "PYTHONPATH": str(copy / "src"),
            "NKBOOK_SHARED": str(SHARED),
            "NKBOOK_COMMIT": commit,
            "PYTHONUNBUFFERED": "1",
            "PATH": f"{venv / 'bin'}{os.pathsep}{base.get('PATH', '')}",
        }

        # 2-3. cold build, then a second build with nothing changed; the page weights of the cold build
        r["cold"] = build("cold-build", python, copy, env, logs)
        # 7. the floor right after the cold build, so that both meet much the same load on the machine
        load = os.getloadavg()[0]
        seconds, out, _, _ = run("floor", [python, "-c", FLOOR], copy, env, logs)
        chapters = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
        r["floor"] = {"seconds": seconds, "sum_of_chapters": sum(chapters.values()), "chapters": chapters, "load": load}
        r["nochange"] = build("no-change-build", python, copy, env, logs)
        r["pages"] = page_weights(copy / "_build" / "html")

        # 9-10. `make check`, and the pytest part of `make test`, on the built book (before the edits)
        r["check"] = make_target("check", venv, copy, env, logs)
        r["tests"] = make_target("test", venv, copy, env, logs) if opts.with_tests else {"skipped": True}

        # 6. nbval, before the edits (nbval compares the stored outputs, which the data edit would make stale)
        seconds, out, code, _ = run(
            "nbval", [python, "-m", "pytest", "-p", "no:cacheprovider", "-q", "book/"], copy, env, logs, check=False
        )
        summary = [line for line in out.splitlines() if re.search(r"\d+ (passed|failed|error)", line)]
        r["nbval"] = {"seconds": seconds, "exit": code, "summary": summary[-1].strip("= ") if summary else out[-200:]}

        # 4. one sentence of prose changed: no chapter should be executed
        edit_prose(copy)
        r["prose"] = build("prose-edit-build", python, copy, env, logs)
        page = copy / "_build" / "html" / PROSE[0].replace(".ipynb", ".html")
        r["prose"]["on_page"] = PROSE[2].split(";")[1].strip(" .") in page.read_text(encoding="utf-8")

        # 5. one value of one table changed: `make data`, then exactly its readers re-executed
        table = copy / "data" / f"{TABLE}.csv"
        if OLD not in table.read_text(encoding="utf-8"):
            sys.exit(f"{table.name}: {OLD!r} is gone; update OLD and NEW in {__file__}")
        table.write_text(table.read_text(encoding="utf-8").replace(OLD, NEW, 1), encoding="utf-8")
        r["make_data"] = {
            "seconds": run("make-data", [python, "-m", "nkbook.etl"], copy, env, logs)[0]
            + run("make-data-appendix", [python, "-m", "nkbook.present.appendix"], copy, env, logs)[0]
        }
        deps = json.loads((copy / "book" / "_dependencies.json").read_text(encoding="utf-8"))
        readers = sorted(
            p.relative_to(copy).as_posix()
            for p in (copy / "book").glob("*.ipynb")
            if TABLE in deps.get(p.relative_to(copy).as_posix(), [TABLE])
        )  # unlisted: reads all
        data = build("data-edit-build", python, copy, env, logs)
        said = DRIVER.search(data["decision"])
        data["driver"] = sorted(said.group(2).split(", ")) if said else []
        data["readers"] = readers
        data["exactly"] = data["driver"] == readers == data["executed"]
        data["stale"] = MARK not in (copy / "_build" / "html" / PAGE).read_text(encoding="utf-8")
        r["data"] = data
        r["machine"]["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        if opts.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    report(r)
    if opts.json:
        opts.json.write_text(json.dumps(r, indent=1) + "\n", encoding="utf-8")
    return 0


def report(r: dict) -> None:
    """The Markdown table, the machine and, clearly, every goal missed."""
    cold, nochange, prose, data, pages = r["cold"], r["nochange"], r["prose"], r["data"], r["pages"]
    floor, nbval = r["floor"], r["nbval"]
    share, ratio = nochange["seconds"] / cold["seconds"], nbval["seconds"] / floor["seconds"]
    cold_html = cold["html_seconds"] or cold["seconds"]
    cold_ratio = cold_html / floor["seconds"]
    check, tests = r.get("check", {"available": False}), r.get("tests", {"skipped": True})

    def yes(ok):
        return "yes" if ok else "**NO**"

    def split(b: dict) -> str:  # the HTML and, when it was printed again, the PDF edition
        html = b["html_seconds"] or b["seconds"]
        return f"; HTML {html:.1f} s + PDF edition {b['seconds'] - html:.1f} s" if b["pdf"] else ""

    def made(name: str, m: dict, goal: float, absent: str) -> tuple:  # a timed `make` target
        if not m.get("available"):
            return (name, absent, f"≤ {goal:.0f} s", "–")
        ok = m["seconds"] <= goal and m["exit"] == 0
        return (f"{name} ({m['summary']}; exit {m['exit']})", f"{m['seconds']:.1f} s", f"≤ {goal:.0f} s", yes(ok))

    beyond = pages["heaviest_kb"]
    rows = [
        (
            "install from the lock (fresh venv; " + r["install"]["note"] + ")"
            if r["install"]["seconds"]
            else "install from the lock",
            f"{r['install']['seconds']:.1f} s" if r["install"]["seconds"] else "skipped",
            "–",
            "–",
        ),
        (f"cold build ({len(cold['executed'])} chapters executed{split(cold)})", f"{cold['seconds']:.1f} s", "–", "–"),
        (
            "cold build, HTML only, against the sequential execution floor (below; run right after it; "
            f"1-minute load average as each started: {cold.get('load', 0):.1f} and {floor.get('load', 0):.1f})",
            f"{cold_html:.1f} s ({cold_ratio:.2f}× floor)",
            f"≤ {GOAL_COLD}× floor",
            yes(cold_ratio <= GOAL_COLD),
        ),
        (
            f"second build, nothing changed ({len(nochange['executed'])} executed{split(nochange)})",
            f"{nochange['seconds']:.1f} s ({share:.0%} of cold)",
            f"≤ {GOAL_REBUILD:.0%} of cold build",
            yes(share <= GOAL_REBUILD),
        ),
        (
            f"rebuild after a prose edit in {PROSE[0]} ({len(prose['executed'])} executed; new sentence on the page: "
            f"{'yes' if prose['on_page'] else 'NO'}{split(prose)})",
            f"{prose['seconds']:.1f} s",
            "0 chapters executed, page updated",
            yes(not prose["executed"] and prose["on_page"]),
        ),
        (
            f"`make data` after editing `data/{TABLE}.csv` (not part of the rebuild)",
            f"{r['make_data']['seconds']:.1f} s",
            "–",
            "–",
        ),
        (
            f"rebuild after the data edit (executed: {', '.join(data['executed']) or 'none'}; read by: {', '.join(data['readers'])}{split(data)})",
            f"{data['seconds']:.1f} s",
            "exactly its readers re-executed; no stale output",
            f"exactly: {yes(data['exactly'])}; stale: {'**YES**' if data['stale'] else 'no'}",
        ),
        (
            f"nbval, `pytest book/`, serial ({nbval['summary']})",
            f"{nbval['seconds']:.1f} s ({ratio:.2f}× floor)",
            f"≤ {GOAL_NBVAL}× floor",
            yes(ratio <= GOAL_NBVAL and nbval["exit"] == 0),
        ),
        (
            f"pure execution floor: {len(floor['chapters'])} chapters in sequence (sum of chapters {floor['sum_of_chapters']:.1f} s)",
            f"{floor['seconds']:.1f} s",
            "–",
            "–",
        ),
        made("`make check`", check, GOAL_CHECK, "not available (the Makefile has no `check` target)"),
        made(
            "the pytest part of `make test` (half of 14 min 19 s)",
            tests,
            GOAL_TESTS,
            "not run (`--with-tests` runs it)" if tests.get("skipped") else "not available",
        ),
        (
            f"heaviest page, beyond shared assets and chart library ({pages['heaviest']}, of {pages['pages']} pages)",
            f"{beyond:.0f} KB",
            f"≤ {GOAL_PAGE_KB} KB",
            yes(beyond <= GOAL_PAGE_KB),
        ),
        (
            "chart library `_static/nkbook-vega.js`"
            + ("" if pages["chart_library_shared"] else " (not loaded by every page)"),
            f"{pages['chart_library_kb']:.0f} KB",
            "–",
            "–",
        ),
        (
            f"shared assets loaded by every page: theme, search index ({pages['shared_files']} files; for information)",
            f"{pages['shared_kb']:.0f} KB",
            "–",
            "–",
        ),
    ]
    m = r["machine"]
    print(
        f"\nBenchmark of commit {m['commit']} on {m['date']}: {m['cpus']} CPUs, Python {m['python']}, "
        f"{m['platform']}; load average at start {m['load_at_start']}, at end {m.get('load_at_end')}.\n"
    )
    print("| step | seconds (or KB) | goal | met? |\n|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    missed = [row[0] for row in rows if "NO" in row[3] or "YES" in row[3]]
    if nbval["exit"] != 0:
        missed.append(f"nbval exited with {nbval['exit']}: {nbval['summary']}")
    print("\nKB = 1000 bytes. A page's weight is its own bytes plus whatever it loads that not every page loads.")
    print("\n" + ("GOALS MISSED:\n" + "\n".join(f"- {m}" for m in missed) if missed else "Every goal met."))


if __name__ == "__main__":
    sys.exit(main())
