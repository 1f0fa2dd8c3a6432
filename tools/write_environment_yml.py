"""Write environment.yml from requirements.lock, so that conda users get the same pins.

Run by ``make lock``; ``tests/test_environment.py`` fails if the two ever disagree.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)")


def pins(lock: Path) -> list[str]:
    return [f"{m.group(1)}=={m.group(2)}" for line in lock.read_text().splitlines() if (m := PIN.match(line))]


def main() -> None:
    lines = [
        "# Written by tools/write_environment_yml.py from requirements.lock: do not edit by hand.",
        "# conda env create -f environment.yml && conda activate dprk-russia-book",
        "# pip install --no-deps -r requirements-nodeps.txt -e .   (cffconvert: only its schema file; see that file)",
        '# python -m ipykernel install --sys-prefix --name nkbook --display-name "Python 3 (nkbook)"   (the chapters\' kernel)',
        "name: dprk-russia-book",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        "  - python=3.11",
        "  - pip",
        "  - pip:",
        *[f"      - {p}" for p in pins(ROOT / "requirements.lock")],
    ]
    (ROOT / "environment.yml").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
