"""Execute the chapters in parallel into Jupyter Book's execution cache, before Sphinx reads them.

With ``execute_notebooks: cache`` (``_config.yml``), myst-nb executes a chapter while Sphinx
reads it, one chapter after another, unless the cache (``_build/.jupyter_cache``) already
holds a record for the chapter's code cells. :func:`fill_cache` makes that so beforehand: every
chapter without a matching record is executed in a pool of worker processes (largest notebook
first, so that the longest chapters do not come last), by the very function myst-nb executes
with (``jupyter_cache.executors.utils.single_nb_execution``), with the same working directory
(the chapter's folder), timeout and ``allow_errors`` (from ``_config.yml``). The parent
process alone writes to the cache, one chapter at a time, as myst-nb does: the chapter is
added to the cache's project and its executed notebook cached with its run time
(``execution_seconds``, which the execution report shows). Sphinx then finds every chapter in
the cache and executes none.

The outputs are the same as when myst-nb executes a chapter itself: the same code runs with
the same settings, and a cache record is keyed on the code cells only. A chapter that fails is
not cached; its traceback is printed and kept in the cache's project (as myst-nb keeps it) and
the build stops before Sphinx runs.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import nbformat
import yaml

CACHE = "_build/.jupyter_cache"  # Jupyter Book's default execution_cache_path
MAX_WORKERS = 4  # each worker runs a kernel (a few hundred MB); more would rarely help


@dataclass(frozen=True)
class Settings:
    """The ``execute:`` section of ``_config.yml`` as far as execution goes."""

    mode: str = "cache"
    timeout: int | None = 30
    allow_errors: bool = False
    exclude: tuple[str, ...] = ()
    cache: str = CACHE


@dataclass(frozen=True)
class Outcome:
    """One chapter's execution in a worker: the executed notebook, or the traceback."""

    path: str
    notebook: str  # nbformat.writes of the executed notebook
    seconds: float
    error: str | None
    attempts: int = 1  # kernel starts it took


def settings(root: Path) -> Settings:
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
    execute = config.get("execute") or {}
    return Settings(
        mode=str(execute.get("execute_notebooks", "auto")),
        timeout=execute.get("timeout", 30),
        allow_errors=bool(execute.get("allow_errors", False)),
        exclude=tuple(execute.get("exclude_patterns") or ()),
        cache=execute.get("cache") or CACHE,
    )


def workers(count: int) -> int:
    """How many chapters run at once: one per core, at most :data:`MAX_WORKERS`."""
    return max(1, min(count, os.cpu_count() or 1, MAX_WORKERS))


def chapters(root: Path, config: Settings) -> list[Path]:
    """The chapters myst-nb would execute, largest notebook first (a fair guess at the longest)."""
    found = [
        p
        for p in (root / "book").glob("*.ipynb")
        if not any(p.relative_to(root).match(pattern) for pattern in config.exclude)
    ]
    return sorted(found, key=lambda p: (-p.stat().st_size, p.name))


def uncached(cache, paths: list[Path]) -> list[Path]:
    """The chapters whose code cells have no record in the cache."""
    out = []
    for path in paths:
        try:
            cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:
            out.append(path)
    return out


def execute_one(path: str, timeout: int | None, allow_errors: bool, attempts: int = 3) -> Outcome:
    """Run in a worker: execute one chapter as myst-nb's cache mode does (``execution_in_temp`` off).

    A kernel that fails to start (two kernels starting at once may pick the same free port) is
    started again, up to ``attempts`` times in all; a failing cell is never retried."""
    from jupyter_cache.executors.utils import single_nb_execution

    attempt = 0
    while True:
        attempt += 1
        nb = nbformat.read(path, as_version=4)
        try:
            result = single_nb_execution(
                nb, cwd=str(Path(path).parent), timeout=timeout, allow_errors=allow_errors, meta_override=True
            )
        except Exception:  # the kernel died or never started: no cell failed
            if attempt < attempts:
                continue
            return Outcome(path, "", 0.0, traceback.format_exc(), attempt)
        error = result.exc_string if result.err else None
        return Outcome(path, nbformat.writes(result.nb), result.time, error, attempt)


def fill_cache(root: Path) -> list[str]:
    """Execute every chapter missing from the cache, in parallel, and cache it.

    Returns the chapters that failed (empty when all went well, or when the configuration
    does not ask for cached execution and there is nothing to do here)."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.cache.db import NbProjectRecord

    config = settings(root)
    if config.mode != "cache":
        return []
    cache = get_cache(str(root / config.cache))
    todo = uncached(cache, chapters(root, config))
    if not todo:
        return []
    names = [p.relative_to(root).as_posix() for p in todo]
    count = workers(len(todo))
    print(f"executing {len(todo)} chapter(s), {count} at a time: {', '.join(sorted(names))}")
    failed = []
    # fork: the workers need nothing from the parent but the arguments, and start at once
    with ProcessPoolExecutor(max_workers=count, mp_context=get_context("fork")) as pool:
        jobs = [pool.submit(execute_one, str(p), config.timeout, config.allow_errors) for p in todo]
        for job in as_completed(jobs):
            outcome = job.result()
            name = Path(outcome.path).relative_to(root).as_posix()
            record = cache.add_nb_to_project(outcome.path)
            NbProjectRecord.remove_tracebacks([record.pk], cache.db)
            if outcome.error is not None:
                NbProjectRecord.set_traceback(record.uri, outcome.error, cache.db)
                print(f"{name}: execution failed\n{outcome.error}", file=sys.stderr, flush=True)
                failed.append(name)
                continue
            bundle = CacheBundleIn(
                nbformat.reads(outcome.notebook, as_version=4),
                record.uri,
                data={"execution_seconds": outcome.seconds},
            )
            cache.cache_notebook_bundle(bundle, check_validity=False, overwrite=True)
            again = f" (kernel started {outcome.attempts} times)" if outcome.attempts > 1 else ""
            print(f"executed {name} in {outcome.seconds:.1f} s{again}", flush=True)
    return sorted(failed)


def jupyter_book(root: Path) -> int:
    """``jupyter-book build -W -n --keep-going ROOT`` (the HTML), run in this process; its exit status.

    One difference from the command: sphinxcontrib-bibtex asks pybtex for a plugin at every
    citation, and pybtex then searches the entry points of every installed distribution
    (about 12 ms each time, some 500 times: a third of Sphinx's time once the chapters are
    executed). The installed distributions do not change during a build, so here each lookup is
    made once; pybtex's own registry of plugins is still asked first, every time.
    """
    import pybtex.plugin
    from jupyter_book.cli.main import main

    lookup, folder = pybtex.plugin.entry_points, os.getcwd()
    pybtex.plugin.entry_points = functools.cache(lambda **where: tuple(lookup(**where)))
    os.chdir(root)  # where the command would run
    try:
        main.main(["build", "-W", "-n", "--keep-going", str(root)], prog_name="jupyter-book", standalone_mode=False)
    except SystemExit as exc:  # the command exits with Sphinx's status when it is not 0
        return exc.code if isinstance(exc.code, int) else 1
    except RuntimeError as exc:  # Sphinx raised: the command says so and where to look
        print(exc, file=sys.stderr)
        return 1
    finally:
        pybtex.plugin.entry_points = lookup
        os.chdir(folder)
    return 0
