"""Find the Chromium that prints the PDF edition and runs the browser tests, wherever it is.

Debian installs it as ``/usr/bin/chromium``; Ubuntu ships it as a snap (``/snap/bin/chromium``),
some systems as ``chromium-browser``; Playwright can download its own build
(``playwright install chromium``). ``NKBOOK_CHROMIUM`` names one explicitly and wins. When none is
found, :class:`NoChromium` says what was looked for and how to install one.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

#: Looked for in this order after ``NKBOOK_CHROMIUM``: Debian's package, then the others.
CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium")
COMMANDS = ("chromium", "chromium-browser")
#: Flags for a headless Chromium on a machine with no network beyond the book: no sandbox (CI
#: runs as root), no GPU, and none of the browser's own connections (updates, sync, QUIC).
LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
)
HOW_TO_INSTALL = (
    "no Chromium found: on Debian `sudo apt-get install chromium` (`make system-deps` does it as root); "
    "on Ubuntu `sudo snap install chromium`; elsewhere `.venv/bin/playwright install chromium`; "
    "or set NKBOOK_CHROMIUM to a Chromium or Chrome executable"
)


class NoChromium(RuntimeError):
    """No Chromium could be found."""


def _playwright_own() -> Path | None:
    """The Chromium that ``playwright install chromium`` downloaded, if it did."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    try:
        with sync_playwright() as p:
            path = Path(p.chromium.executable_path)
    except Exception:  # Playwright's driver could not start: treat as absent
        return None
    return path if path.is_file() else None


def chromium(env: dict | None = None) -> Path:
    """The Chromium to use: ``NKBOOK_CHROMIUM`` if set (it must exist), else the first of
    :data:`CANDIDATES`, of :data:`COMMANDS` on ``PATH``, or Playwright's own download."""
    env = os.environ if env is None else env
    named = env.get("NKBOOK_CHROMIUM")
    if named:
        path = Path(named)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise NoChromium(f"NKBOOK_CHROMIUM names {named}, which is not an executable file")
        return path
    for candidate in CANDIDATES:
        path = Path(candidate)
        if path.is_file() and os.access(path, os.X_OK):
            return path
    for command in COMMANDS:
        if found := shutil.which(command, path=env.get("PATH")):
            return Path(found)
    if own := _playwright_own():
        return own
    raise NoChromium(HOW_TO_INSTALL)


def found() -> Path | None:
    """The Chromium :func:`chromium` would use, or None (for tests that need one to skip)."""
    try:
        return chromium()
    except NoChromium:
        return None


if __name__ == "__main__":  # make system-deps: print the Chromium found, or why none was
    import sys

    try:
        print(chromium())
    except NoChromium as exc:
        sys.exit(str(exc))
