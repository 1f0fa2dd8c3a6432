"""Execute the chapters in parallel into Jupyter Book's execution cache while Sphinx starts.

With ``execute_notebooks: cache`` (``_config.yml``), myst-nb executes a chapter while Sphinx
reads it, one chapter after another, unless the cache (``_build/.jupyter_cache``) already
holds a record for the chapter's code cells. Here every chapter without a matching record is
executed in a pool of worker processes (one per core, largest notebook first, so that the
longest chapters do not come last), by the very function myst-nb executes with
(``jupyter_cache.executors.utils.single_nb_execution``), with the same working directory (the
chapter's folder), timeout and ``allow_errors`` (from ``_config.yml``). Meanwhile Sphinx starts
in this process (:func:`jupyter_book`) and reads the other pages; when it comes to a chapter,
myst-nb first waits for the chapter's execution and its record in the cache
(:meth:`Execution.store`), then finds it there and executes nothing.

The outputs are the same as when myst-nb executes a chapter itself: the same code runs with
the same settings, and a cache record is keyed on the code cells only. A chapter that fails is
not cached: its traceback is printed and kept in the cache's project, and myst-nb, finding no
record, executes it once more and reports the failure as it always has (a warning, so an error).
"""

from __future__ import annotations

import functools
import os
import signal
import sys
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Callable

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


def die_with_parent() -> None:
    """Run in each worker as it starts: on Linux, kill it when the build is killed (its kernel,
    which watches its parent, then ends too). Otherwise an idle worker would wait forever, and a
    busy one go on with the next chapter: SIGKILL, since nbclient catches SIGTERM and SIGINT
    to shut its kernel down and carry on."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the workers end when the pool is shut down
        pass


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


class Execution:
    """The chapters missing from the cache, executing in worker processes from the moment this
    is made (largest first, one per core); :meth:`store` waits for one chapter and caches it,
    :meth:`finish` does so for all that are left and returns the chapters that failed.

    Only this process writes to the cache, one chapter at a time, as myst-nb does: the chapter
    is added to the cache's project, then its executed notebook is cached with its run time
    (``execution_seconds``, which the execution report shows), or its traceback kept."""

    def __init__(self, root: Path):
        self.root, self.failed, self.jobs, self.pool = root, [], {}, None
        config = settings(root)
        if config.mode != "cache":  # myst-nb executes (or not) by itself
            return
        from jupyter_cache import get_cache

        self.cache = get_cache(str(root / config.cache))
        todo = uncached(self.cache, chapters(root, config))
        if not todo:
            return
        count = workers(len(todo))
        names = sorted(self.name(p) for p in todo)
        print(f"executing {len(todo)} chapter(s), {count} at a time: {', '.join(names)}", flush=True)
        # fork: the workers need nothing from this process but the arguments, and start at once
        self.pool = ProcessPoolExecutor(count, get_context("fork"), initializer=die_with_parent)
        self.jobs = {
            p.resolve(): self.pool.submit(execute_one, str(p), config.timeout, config.allow_errors) for p in todo
        }

    def name(self, path: Path) -> str:
        return Path(path).resolve().relative_to(self.root.resolve()).as_posix()

    def store(self, path: Path) -> None:
        """If this chapter is executing, wait for it and cache it (or keep its traceback)."""
        from jupyter_cache.base import CacheBundleIn
        from jupyter_cache.cache.db import NbProjectRecord

        job = self.jobs.pop(Path(path).resolve(), None)
        if job is None:
            return
        outcome = job.result()
        record = self.cache.add_nb_to_project(outcome.path)
        NbProjectRecord.remove_tracebacks([record.pk], self.cache.db)
        if outcome.error is not None:
            NbProjectRecord.set_traceback(record.uri, outcome.error, self.cache.db)
            self.failed.append(self.name(outcome.path))
            print(f"{self.name(outcome.path)}: execution failed\n{outcome.error}", file=sys.stderr, flush=True)
            return
        bundle = CacheBundleIn(
            nbformat.reads(outcome.notebook, as_version=4), record.uri, data={"execution_seconds": outcome.seconds}
        )
        self.cache.cache_notebook_bundle(bundle, check_validity=False, overwrite=True)
        again = f" (its kernel started {outcome.attempts} times)" if outcome.attempts > 1 else ""
        print(f"executed {self.name(outcome.path)} in {outcome.seconds:.1f} s{again}", flush=True)

    def finish(self) -> list[str]:
        for path in list(self.jobs):
            self.store(path)
        self.close()
        return sorted(self.failed)

    def close(self) -> None:
        """Shut the pool down. A chapter that has finished executing but that Sphinx never came to
        (it failed first) is cached all the same, so that the next build need not execute it again;
        a chapter still executing is stopped at once, its worker killed."""
        if self.pool is None:
            return
        for path, job in list(self.jobs.items()):
            if job.done() and not job.cancelled() and job.exception() is None:
                self.store(path)
        if self.jobs:
            for process in list((getattr(self.pool, "_processes", None) or {}).values()):
                process.kill()
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = None

    def __enter__(self) -> Execution:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def fill_cache(root: Path) -> list[str]:
    """Execute every chapter missing from the cache, in parallel, and cache it; the chapters
    that failed (none when all went well, or when ``_config.yml`` does not ask for the cache)."""
    with Execution(root) as execution:
        return execution.finish()


def jupyter_book(root: Path, before_reading: Callable[[Path], None] | None = None) -> int:
    """``jupyter-book build -W -n --keep-going ROOT`` (the HTML), run in this process; its exit status.

    ``before_reading(path)`` is called before myst-nb looks for a chapter in the execution cache
    (:meth:`Execution.store`: Sphinx starts, and reads the pages and chapters already executed,
    while the others are still executing). One more difference from the command: sphinxcontrib-bibtex
    asks pybtex for a plugin at every citation, and pybtex then searches the entry points of
    every installed distribution (about 12 ms each time, some 500 times: a third of Sphinx's
    time once the chapters are executed). The installed distributions do not change during a
    build, so here each lookup is made once; pybtex's registry of plugins is still asked first.
    """
    import pybtex.plugin
    from jupyter_book.cli.main import main
    from myst_nb.core.execute.cache import NotebookClientCache

    lookup, start_client, folder = pybtex.plugin.entry_points, NotebookClientCache.start_client, os.getcwd()

    def waiting_start_client(client):
        if client.path is not None:
            before_reading(Path(client.path))
        return start_client(client)

    pybtex.plugin.entry_points = functools.cache(lambda **where: tuple(lookup(**where)))
    if before_reading is not None:
        NotebookClientCache.start_client = waiting_start_client
    os.chdir(root)  # where the command would run
    try:
        main.main(["build", "-W", "-n", "--keep-going", str(root)], prog_name="jupyter-book", standalone_mode=False)
    except SystemExit as exc:  # the command exits with Sphinx's status when it is not 0
        return exc.code if isinstance(exc.code, int) else 1
    except RuntimeError as exc:  # Sphinx raised: the command says so and where to look
        print(exc, file=sys.stderr)
        return 1
    finally:
        pybtex.plugin.entry_points, NotebookClientCache.start_client = lookup, start_client
        os.chdir(folder)
    return 0
