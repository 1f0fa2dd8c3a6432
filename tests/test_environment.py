"""The pins agree everywhere, and CI runs exactly the README's test command."""

from __future__ import annotations

import importlib.util
import re

import pytest
import yaml

from conftest import ROOT

_spec = importlib.util.spec_from_file_location("write_environment_yml", ROOT / "tools" / "write_environment_yml.py")
write_environment_yml = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(write_environment_yml)


def lock_pins(name="requirements.lock"):
    """The pins of a requirements file, read as ``make lock`` reads them."""
    return dict(pin.lower().split("==") for pin in write_environment_yml.pins(ROOT / name))


def test_environment_yml_uses_the_lock():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    env_pins = dict(p.lower().split("==") for p in pip_section)
    assert env_pins == lock_pins()


def test_lock_pins_the_stack():
    pins = lock_pins()
    assert pins["jupyter-book"] == "1.0.4.post1"
    for name in (
        "pandas",
        "altair",
        "vl-convert-python",
        "nbval",
        "pytest",
        "frictionless",
        "playwright",
        "sphinx",
        "myst-nb",
        "sphinxcontrib-bibtex",
        "jsonschema",
    ):
        assert name in pins, name
    assert lock_pins("requirements-nodeps.txt") == {"cffconvert": "2.0.0"}
    top = {
        m.group(1).lower()
        for line in (ROOT / "requirements.in").read_text().splitlines()
        if (m := re.match(r"^([A-Za-z0-9_.\-]+)", line))
    }
    assert top <= set(pins)


def readme_commands():
    text = (ROOT / "README.md").read_text()
    block = text.split("<!-- commands -->")[1].split("<!-- /commands -->")[0]
    return [line.strip() for line in block.splitlines() if line.strip() and not line.startswith(("```", "#"))]


def test_ci_runs_the_readme_test_command():
    build, test = readme_commands()
    assert (build, test) == ("make book", "make test")
    ci = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert ci[-1] == test


def requirement_lines(name):
    """The requirement lines of a requirements file, continuation lines joined, comments dropped."""
    text = (ROOT / name).read_text().replace("\\\n", " ")
    return [line.split("#")[0].strip() for line in text.splitlines() if line.split("#")[0].strip()]


@pytest.mark.parametrize("name", ["requirements.lock", "requirements-nodeps.txt"])
def test_every_pin_carries_its_hashes(name):
    """Supply chain: pip checks each downloaded file against a sha256 the lock records, so a file
    swapped on the index, a mirror or the way is refused instead of installed."""
    lines = requirement_lines(name)
    assert lines
    for line in lines:
        assert re.match(r"^[A-Za-z0-9_.\-]+==\S+ ", line), line
        hashes = re.findall(r"--hash=sha256:([0-9a-f]+)", line)
        assert hashes and all(len(h) == 64 for h in hashes), line


def test_install_requires_hashes_and_wheels():
    """make installs both requirement files in pip's hash-checking mode, wheels only, and
    make lock writes the hashes."""
    make = (ROOT / "Makefile").read_text()
    safe = re.search(r"^PIP_SAFE := (.*)$", make, re.M).group(1).split()
    assert {"--require-hashes", "--only-binary"} <= set(safe) and ":all:" in safe
    for name in ("requirements.lock", "requirements-nodeps.txt"):
        install = next(line for line in make.splitlines() if "pip install" in line and f"-r {name}" in line)
        assert "$(PIP_SAFE)" in install, install
    assert "--generate-hashes" in make.split("\nlock:")[1].split("\n\n")[0]
