"""``make lab``: JupyterLab in the book's environment, on the chapters, with the book's kernel.

The lab's packages come from their own hash-pinned lock, compiled under the constraint of the
book's, so installing them changes no pin of the book. Every chapter names the kernel ``nkbook``
(the environment's Python, which imports the project's package), so that a Jupyter elsewhere asks
for it instead of running a chapter in a Python without the package.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT


def pins(name: str) -> dict[str, str]:
    text = (ROOT / name).read_text()
    return {m.group(1).lower(): m.group(2) for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)", text, re.M)}


def test_the_lab_lock_changes_no_pin_of_the_book():
    book, lab = pins("requirements.lock"), pins("requirements-lab.lock")
    assert "jupyterlab" in lab and "jupyterlab" not in book
    shared = sorted(set(book) & set(lab))
    assert len(shared) > 30  # the Jupyter stack the book already has
    assert {name: lab[name] for name in shared} == {name: book[name] for name in shared}
    text = (ROOT / "requirements-lab.lock").read_text().replace("\\\n", " ")
    for line in text.splitlines():
        if re.match(r"^[A-Za-z0-9]", line):
            assert "--hash=sha256:" in line, line
    assert "-c requirements.lock" in (ROOT / "requirements-lab.in").read_text()


def test_every_chapter_names_the_book_kernel():
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        spec = nbformat.read(path, as_version=4).metadata.kernelspec
        assert (spec.name, spec.display_name, spec.language) == ("nkbook", "Python 3 (nkbook)", "python"), path.name
    make = (ROOT / "Makefile").read_text()
    assert 'ipykernel install --sys-prefix --name nkbook --display-name "Python 3 (nkbook)"' in make
    assert re.search(r"^book: .*\$\(KERNEL\)", make, re.M) and re.search(r"^notebooks: .*\$\(KERNEL\)", make, re.M)


def lab_installed() -> bool:
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        return False
    return True


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def post(url: str, body: dict) -> dict:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.mark.env
def test_make_lab_starts_jupyterlab_whose_book_kernel_runs_a_chapter(tmp_path):
    """Headless: `make lab` starts the server; it offers the book's kernel; a session on the first
    chapter starts that kernel, which imports the project's package and runs every cell."""
    if not lab_installed():
        if os.environ.get("CI"):
            pytest.fail("JupyterLab is not installed: `make test` installs it (make lab)")
        pytest.skip("JupyterLab is not installed: run `make lab` once")
    from jupyter_client import BlockingKernelClient

    runtime = tmp_path / "runtime"
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime), "PYTHONPATH": ""}
    args = "--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port=0 --ServerApp.token=nkbook-test"
    lab = subprocess.Popen(
        ["make", "-s", "lab", f"LAB_ARGS={args}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        server = None
        while server is None and time.monotonic() < deadline:
            assert lab.poll() is None, "make lab ended"
            found = sorted(runtime.glob("jpserver-*.json"))
            server = json.loads(found[0].read_text()) if found else None
            time.sleep(0.5)
        assert server, "JupyterLab did not start within 120 s"
        base, token = server["url"].rstrip("/"), "?token=nkbook-test"
        assert Path(server["root_dir"]).resolve() == ROOT.resolve()
        specs = get(f"{base}/api/kernelspecs{token}")["kernelspecs"]
        assert specs["nkbook"]["spec"]["display_name"] == "Python 3 (nkbook)"
        assert Path(specs["nkbook"]["spec"]["argv"][0]).resolve() == Path(sys.executable).resolve()
        session = post(
            f"{base}/api/sessions{token}",
            {"path": "book/intro.ipynb", "type": "notebook", "name": "intro.ipynb", "kernel": {"name": "nkbook"}},
        )
        kernel = session["kernel"]
        assert kernel["name"] == "nkbook"
        client = BlockingKernelClient(connection_file=str(runtime / f"kernel-{kernel['id']}.json"))
        client.load_connection_file()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=60)
            out = []

            def keep(msg):
                if msg["msg_type"] == "stream":
                    out.append(msg["content"]["text"])

            reply = client.execute_interactive(
                "import os, nkbook; print(nkbook.__file__); print(os.getcwd())", timeout=60, output_hook=keep
            )
            assert reply["content"]["status"] == "ok"
            module, cwd = "".join(out).split()
            assert Path(module).resolve() == (ROOT / "src" / "nkbook" / "__init__.py").resolve()
            assert Path(cwd).resolve() == (ROOT / "book").resolve()  # where the chapter is, as in the build
            chapter = nbformat.read(ROOT / "book" / "intro.ipynb", as_version=4)
            cells = [c for c in chapter.cells if c.cell_type == "code"]
            for cell in cells:
                reply = client.execute_interactive(cell.source, timeout=120, output_hook=lambda msg: None)
                assert reply["content"]["status"] == "ok", (cell.source[:80], reply["content"])
            assert len(cells) > 3
        finally:
            client.stop_channels()
    finally:
        os.killpg(lab.pid, signal.SIGTERM)
        try:
            lab.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, signal.SIGKILL)
