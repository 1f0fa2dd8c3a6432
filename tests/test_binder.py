"""Binder: the launch buttons open a chapter that exists, in an environment that has the book's
package and kernel. repo2docker reads only ``binder/``: a Python version, the two hash-pinned
locks, then ``postBuild`` (the package and the kernel)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from conftest import HTML, ROOT, built_pages

BINDER = ROOT / "binder"


def test_binder_pins_the_python_and_the_locks():
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"  # the stored outputs' Python
    lines = [line for line in (BINDER / "requirements.txt").read_text().splitlines() if not line.startswith("#")]
    assert lines == ["-r ../requirements.lock", "-r ../requirements-lab.lock"]
    post = (BINDER / "postBuild").read_text()
    assert os.access(BINDER / "postBuild", os.X_OK)
    assert "-r requirements-nodeps.txt" in post and "-e ." in post
    assert '--name nkbook --display-name "Python 3 (nkbook)"' in post


def launch_url(page: str) -> str:
    """The Binder address Jupyter Book gives a chapter's launch button, from _config.yml."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo, buttons = config["repository"], config["launch_buttons"]
    org_repo = urlsplit(repo["url"]).path.strip("/")
    interface = {"jupyterlab": "lab/tree", "classic": "tree"}[buttons["notebook_interface"]]
    return f"{buttons['binderhub_url']}/v2/gh/{org_repo}/{repo['branch']}?urlpath={interface}/{repo['path_to_book']}/{page}"


def opened(url: str) -> Path:
    """The file of the repository a Binder address opens."""
    parts = urlsplit(url)
    assert parts.netloc == "mybinder.org" and re.match(r"^/v2/gh/[\w.-]+/[\w.-]+/[\w.-]+$", parts.path), url
    (path,) = parse_qs(parts.query)["urlpath"]
    assert path.startswith("lab/tree/"), url  # JupyterLab, where the book's kernel is offered
    return (ROOT / path.removeprefix("lab/tree/")).resolve()


def test_each_chapter_s_launch_address_opens_that_chapter():
    for chapter in sorted((ROOT / "book").glob("*.ipynb")):
        assert opened(launch_url(f"book/{chapter.name}")) == chapter.resolve()
    with pytest.raises(AssertionError):
        assert opened(launch_url("book/no-such-chapter.ipynb")).is_file()


@pytest.mark.skipif(not (HTML / "index.html").is_file(), reason="no built book: run `make book` first")
def test_every_launch_button_of_the_built_book_opens_a_chapter_that_exists():
    found = {}
    for page in built_pages():
        for url in re.findall(r'href="(https://mybinder\.org/[^"]+)"', page.read_text(encoding="utf-8")):
            found[url.replace("&amp;", "&")] = page
    assert len(found) >= len(list((ROOT / "book").glob("*.ipynb")))
    for url, page in found.items():
        target = opened(url)
        assert target.is_file() and target.suffix == ".ipynb", (page.name, url)
        assert target.stem == page.stem, (page.name, url)  # each page launches itself


@pytest.mark.env
def test_the_binder_environment_installs_the_package_and_its_kernel(tmp_path):
    """binder/requirements.txt and postBuild, as repo2docker runs them, in a throw-away venv of
    the Python binder/runtime.txt names: the package imports and the kernel is registered."""
    version = (BINDER / "runtime.txt").read_text().strip().removeprefix("python-")
    python = shutil.which(f"python{version}")
    if python is None:
        pytest.skip(f"no python{version} on PATH")
    venv = tmp_path / "binder-env"
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    env = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}", "PYTHONPATH": ""}
    env.pop("VIRTUAL_ENV", None)
    quiet = ["--quiet", "--disable-pip-version-check"]
    subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "install", *quiet, "-r", "binder/requirements.txt"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    subprocess.run(["bash", "binder/postBuild"], cwd=ROOT, env=env, check=True, capture_output=True)
    done = subprocess.run(
        [venv / "bin" / "python", "-c", "import nkbook, jupyterlab; print(nkbook.__file__)"],
        cwd=ROOT / "book",
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(done.stdout.strip()).resolve() == (ROOT / "src" / "nkbook" / "__init__.py").resolve()
    spec = yaml.safe_load((venv / "share" / "jupyter" / "kernels" / "nkbook" / "kernel.json").read_text())
    assert Path(spec["argv"][0]).parent == venv / "bin" and spec["display_name"] == "Python 3 (nkbook)"
