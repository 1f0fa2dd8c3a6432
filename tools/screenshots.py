"""Screenshots of built pages as a reader sees them: ``python tools/screenshots.py PAGE... [--width W]... [--dark]``.

Serves ``_build/html`` (or ``--html DIR``) on 127.0.0.1 with every other request refused, opens each page
in Debian's Chromium at each width (default 390 and 1280), waits for the charts to draw and writes
``PAGE-WIDTH[-dark].png`` into ``--out`` (default ``_build/screenshots``). ``--full`` captures the whole
page, not only the first screen. A maintainer's tool for looking at what a change did to a page.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import threading
from pathlib import Path

from nkbook.publish.browser import LAUNCH_ARGS, chromium

ROOT = Path(__file__).resolve().parents[1]
HEIGHTS = {390: 844, 768: 1024}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", nargs="+", help="pages relative to the built book, e.g. book/claims.html#claim-b12")
    ap.add_argument("--width", type=int, action="append", help="viewport width in CSS px (repeatable)")
    ap.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    ap.add_argument("--out", type=Path, default=ROOT / "_build" / "screenshots")
    ap.add_argument("--dark", action="store_true", help="the theme's dark mode")
    ap.add_argument("--full", action="store_true", help="the whole page, not only the first screen")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(args.html))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium()), args=list(LAUNCH_ARGS))
        for width in args.width or [390, 1280]:
            context = browser.new_context(
                viewport={"width": width, "height": HEIGHTS.get(width, 800)},
                color_scheme="dark" if args.dark else "light",
            )
            context.route(
                "**/*", lambda r: r.continue_() if r.request.url.startswith((base, "data:", "blob:")) else r.abort()
            )
            if args.dark:
                context.add_init_script("localStorage.setItem('theme', 'dark'); localStorage.setItem('mode', 'dark');")
            tab = context.new_page()
            for page in args.pages:
                tab.goto(f"{base}/{page}", wait_until="load")
                n = tab.locator(".nkb-chart").count()
                if n:
                    tab.wait_for_function(
                        "n => document.querySelectorAll('.nkb-chart.nkb-drawn').length === n", arg=n, timeout=60_000
                    )
                tab.wait_for_timeout(300)
                name = page.replace("/", "_").replace("#", "_").replace(".html", "")
                target = args.out / f"{name}-{width}{'-dark' if args.dark else ''}.png"
                tab.screenshot(path=str(target), full_page=args.full)
                print(target)
            context.close()
        browser.close()
    httpd.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
