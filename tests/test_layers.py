"""The layers of ``src/nkbook`` hold: the import contract of ``pyproject.toml`` is kept, it is
broken by an import from a lower layer into a higher one, and ``make data`` loads no notebook
machinery."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
NOTEBOOK_MACHINERY = ("IPython", "myst_nb", "nbclient", "nbformat", "altair", "sphinx", "jupyter_book")


def lint_imports(root: Path, src: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )


def test_the_import_contract_is_kept():
    result = lint_imports(ROOT, ROOT / "src")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "2 kept, 0 broken" in result.stdout


def test_an_import_from_a_higher_layer_breaks_the_contract(tmp_path):
    """A copy of the package where the data layer imports a chart module: the contract fails and
    names the import."""
    shutil.copytree(ROOT / "src" / "nkbook", tmp_path / "src" / "nkbook", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    leak = tmp_path / "src" / "nkbook" / "data" / "leak.py"
    leak.write_text("from nkbook.present import charts  # a lower layer reaching up\n", encoding="utf-8")
    result = lint_imports(tmp_path, tmp_path / "src")
    assert result.returncode != 0
    assert "nkbook.data.leak -> nkbook.present.charts" in result.stdout
    assert "BROKEN" in result.stdout


def test_make_data_loads_no_notebook_machinery():
    """What ``make data`` runs (the tables, then the appendix pages) imports neither IPython nor
    Jupyter, Sphinx or Altair."""
    code = (
        "import sys, json\n"
        "import nkbook.etl.__main__, nkbook.etl.refresh, nkbook.present.appendix\n"
        f"print(json.dumps(sorted(m for m in {NOTEBOOK_MACHINERY!r} if m in sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_ruff_finds_nothing():
    """What ``make check`` lints, CI checks too: ruff's rules and its formatting."""
    ruff = Path(sys.executable).with_name("ruff")
    for args in (["check", "."], ["format", "--check", "."]):
        result = subprocess.run([str(ruff), *args], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
