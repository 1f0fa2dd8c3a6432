"""Rerun it anywhere (issue 16): the Chromium is found where the system keeps it, the supported
Pythons are declared and chosen by make, and a data file changed by hand names its remedy."""

from __future__ import annotations

import os
import re
import stat

import pytest

from conftest import ROOT
from nkbook.publish import browser
from nkbook.publish.browser import HOW_TO_INSTALL, NoChromium, chromium


def executable(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def nowhere(monkeypatch, tmp_path):
    """A system with no Chromium in any of the usual places, nor Playwright's own."""
    monkeypatch.setattr(browser, "CANDIDATES", (str(tmp_path / "usr" / "bin" / "chromium"),))
    monkeypatch.setattr(browser, "_playwright_own", lambda: None)
    return {"PATH": str(tmp_path / "empty-path")}


def test_nkbook_chromium_wins_and_must_exist(tmp_path, nowhere):
    chrome = executable(tmp_path / "opt" / "chrome")
    assert chromium({**nowhere, "NKBOOK_CHROMIUM": str(chrome)}) == chrome
    with pytest.raises(NoChromium, match=r"NKBOOK_CHROMIUM names .*/missing, which is not an executable file"):
        chromium({**nowhere, "NKBOOK_CHROMIUM": str(tmp_path / "missing")})


def test_debian_package_snap_and_path_are_found(tmp_path, nowhere, monkeypatch):
    snap = executable(tmp_path / "snap" / "bin" / "chromium")  # Ubuntu's snap
    monkeypatch.setattr(browser, "CANDIDATES", (str(tmp_path / "usr" / "bin" / "chromium"), str(snap)))
    assert chromium(nowhere) == snap
    debian = executable(tmp_path / "usr" / "bin" / "chromium")  # Debian's package comes first
    assert chromium(nowhere) == debian
    debian.unlink(), snap.unlink()
    on_path = executable(tmp_path / "bin" / "chromium-browser")
    assert chromium({"PATH": str(on_path.parent)}) == on_path


def test_playwright_own_download_is_the_last_resort(tmp_path, nowhere, monkeypatch):
    own = executable(tmp_path / "ms-playwright" / "chromium-1" / "chrome")
    monkeypatch.setattr(browser, "_playwright_own", lambda: own)
    assert chromium(nowhere) == own


def test_no_chromium_says_how_to_install_one(nowhere):
    with pytest.raises(NoChromium) as caught:
        chromium(nowhere)
    message = str(caught.value)
    assert message == HOW_TO_INSTALL
    for remedy in (
        "apt-get install chromium",
        "snap install chromium",
        "playwright install chromium",
        "NKBOOK_CHROMIUM",
    ):
        assert remedy in message


def test_the_pdf_step_reports_a_missing_chromium_clearly(tmp_path, nowhere, monkeypatch):
    from nkbook.publish import pdf

    monkeypatch.setattr(os, "environ", {**os.environ, **nowhere})
    monkeypatch.delenv("NKBOOK_CHROMIUM", raising=False)
    with pytest.raises(pdf.PdfError, match="no Chromium found"):
        pdf.print_pdf(tmp_path / "book.html", tmp_path / "book.pdf", "2026-11-30")


def test_nothing_hard_codes_debian_chromium_path():
    """Only the finder knows where Chromium may be."""
    for path in [*ROOT.glob("src/**/*.py"), *ROOT.glob("tests/*.py"), *ROOT.glob("tools/*.py")]:
        if path.name in ("browser.py", "test_rerun.py"):
            continue
        assert "/usr/bin/chromium" not in path.read_text(encoding="utf-8"), path


def run_venv_sh(tmp_path, *args, path_dirs=()):
    """tools/venv.sh with PATH limited to ``path_dirs`` (no apt-get, no other Python)."""
    import subprocess

    env = {"PATH": ":".join(map(str, path_dirs)) or str(tmp_path / "empty"), "HOME": str(tmp_path)}
    bash = "/bin/bash"
    return subprocess.run(
        [bash, str(ROOT / "tools" / "venv.sh"), str(tmp_path / "venv"), *args], env=env, capture_output=True, text=True
    )


def fake_python(folder, name, version, venv_module=True):
    """A stand-in interpreter answering the two questions venv.sh asks."""
    script = f"""#!/bin/bash
case "$*" in
  *sys.version_info*) echo {version} ;;
  *ensurepip*) exit {0 if venv_module else 1} ;;
  *) echo "$0 $*" > "{folder}/called"; exit 0 ;;
esac
"""
    path = folder / name
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(script)
    path.chmod(0o755)
    return path


def test_venv_takes_the_first_supported_python_on_path(tmp_path):
    bin_dir = tmp_path / "bin"
    fake_python(bin_dir, "python3.13", "3.13")
    fake_python(bin_dir, "python3.12", "3.12")
    done = run_venv_sh(tmp_path, path_dirs=[bin_dir])
    assert done.returncode == 0, done.stderr
    assert f"creating {tmp_path / 'venv'} with python3.12 (Python 3.12)" in done.stdout
    assert (bin_dir / "called").read_text().split()[1:] == ["-m", "venv", str(tmp_path / "venv")]


@pytest.mark.parametrize(
    "python, version, venv_module, message",
    [
        (None, None, True, "no Python 3.11, 3.12 or 3.13 found on PATH: install one (Debian 12: apt-get install"),
        ("python3.10", "3.10", True, "is Python 3.10; the book supports Python 3.11, 3.12 or 3.13"),
        (
            "python3.12",
            "3.12",
            False,
            "has no venv module: install it (Debian, Ubuntu: sudo apt-get install python3.12-venv)",
        ),
    ],
)
def test_venv_says_what_is_missing(tmp_path, python, version, venv_module, message):
    bin_dir = tmp_path / "bin"
    args = []
    if python:
        args = [str(fake_python(bin_dir, python, version, venv_module))]
    done = run_venv_sh(tmp_path, *args, path_dirs=[bin_dir])
    assert done.returncode == 1
    assert message in done.stderr
    assert not (tmp_path / "venv").exists() and not (bin_dir / "called").exists()


def test_supported_pythons_are_declared_once_and_agree():
    """pyproject.toml, tools/venv.sh and the README name the same Pythons: 3.11 to 3.13."""
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^requires-python = ">=3\.11,<3\.14"$', pyproject, re.M)
    for minor in (11, 12, 13):
        assert f'"Programming Language :: Python :: 3.{minor}"' in pyproject
    assert "for v in 3.11 3.12 3.13" in (ROOT / "tools" / "venv.sh").read_text()
    assert "(3.11, 3.12 and 3.13 are supported)" in (ROOT / "README.md").read_text()
