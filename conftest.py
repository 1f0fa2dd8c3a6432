"""Hooks for the whole test run; at the root so that they reach the chapters in book/ too.

``book/_dependencies.json`` is checked under nbval. nbval starts one kernel per chapter, and the
kernel inherits the environment: while each chapter's kernel starts, ``NKBOOK_TRACE`` names a
file for it, where ``nkbook.data.package.load`` notes every table the chapter reads. At the end, each
chapter that ran in full and passed must have read exactly the tables that
``book/_dependencies.json`` records, since the build driver re-executes chapters by that file
(``nkbook.publish.build``); otherwise the run fails and says to run ``make notebooks``.
Under pytest-xdist (``make test`` runs ``-n 2 --dist loadfile``), each worker checks the chapters it
ran and its controller reports them all.

Every test gets one tier marker (``-m unit`` and so on): the chapters under nbval are ``notebooks``,
tests/conftest.py tiers the tests.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
_TRACES: dict[str, Path] = {}
_FAILED: set[str] = set()
_RAN: dict[str, int] = {}


def _chapter(item) -> str | None:
    parent = getattr(item, "parent", None)
    if parent is None or type(parent).__name__ != "IPyNbFile":
        return None
    return Path(str(parent.fspath)).resolve().relative_to(ROOT).as_posix()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item):
    """``NKBOOK_TRACE`` is set only while a chapter's first cell is set up, which starts its kernel:
    the kernel keeps it, and the tests that run in this process afterwards (in any order, e.g.
    under pytest-xdist) note nothing in the chapter's trace."""
    name = _chapter(item)
    if not name or name in _TRACES:
        return (yield)
    from nkbook.core.trace import TRACE_ENV

    trace = item.config._tmp_path_factory.getbasetemp() / ("trace-" + name.replace("/", "-") + ".txt")
    trace.unlink(missing_ok=True)
    _TRACES[name] = trace
    before = os.environ.get(TRACE_ENV)
    os.environ[TRACE_ENV] = str(trace)
    try:
        return (yield)
    finally:
        if before is None:
            os.environ.pop(TRACE_ENV, None)
        else:
            os.environ[TRACE_ENV] = before


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """The chapters under nbval are a tier of their own (``-m notebooks``; tests/conftest.py tiers the rest)."""
    for item in items:
        if _chapter(item):
            item.add_marker("notebooks")


def pytest_runtest_logreport(report):
    name = report.nodeid.split("::")[0]
    if name.endswith(".ipynb"):
        if report.when == "call":
            _RAN[name] = _RAN.get(name, 0) + 1
        if report.failed:
            _FAILED.add(name)


def stale_dependencies(items, traces: dict[str, Path], ran: dict[str, int], failed: set[str]) -> list[str]:
    """Chapters that ran in full and passed but read other tables than the file records."""
    from nkbook.publish.execute import read_dependencies, read_trace

    recorded = read_dependencies(ROOT)
    totals: dict[str, int] = {}
    for item in items:
        name = _chapter(item)
        if name:
            totals[name] = totals.get(name, 0) + 1
    out = []
    for name, trace in sorted(traces.items()):
        if name in failed or ran.get(name, 0) != totals.get(name):
            continue  # a chapter that failed or ran in part says nothing about what it reads
        read = read_trace(trace)
        if recorded.get(name) != read:
            out.append(f"{name} read {read}, but book/_dependencies.json records {recorded.get(name)}")
    return out


#: Under pytest-xdist, each worker checks the chapters it ran (``--dist loadfile`` keeps a chapter's
#: cells in one worker) and sends its findings here, to the controller, which reports them all.
_FROM_WORKERS: list[dict] = []


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    found = getattr(node, "workeroutput", {}).get("nkbook_dependencies")
    if found:
        _FROM_WORKERS.append(found)


def pytest_sessionfinish(session, exitstatus):
    checked, problems = 0, []
    if _TRACES:
        checked, problems = len(_TRACES), stale_dependencies(session.items, _TRACES, _RAN, _FAILED)
    if hasattr(session.config, "workeroutput"):  # an xdist worker: its controller reports
        if checked:
            session.config.workeroutput["nkbook_dependencies"] = {"checked": checked, "problems": problems}
        return
    for found in _FROM_WORKERS:
        checked += found["checked"]
        problems += found["problems"]
    if not checked:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    write = reporter.write_line if reporter else print
    if _FROM_WORKERS and reporter:
        write("")  # end xdist's progress line
    if problems:
        for line in ["book/_dependencies.json is out of date (run `make notebooks`):", *sorted(problems)]:
            write(line)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    else:
        write(f"book/_dependencies.json: the tables read by {checked} chapter(s) under nbval match it")
