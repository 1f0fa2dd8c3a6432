"""The pins agree everywhere, and CI runs exactly the README's test command."""

from __future__ import annotations

import importlib.util
import re

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
