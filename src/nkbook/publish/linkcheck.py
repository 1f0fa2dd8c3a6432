"""``make linkcheck``: every external address the book gives still answers.

Two kinds of address are checked: the ``url`` of every entry of ``book/references.bib`` (read
with the bibliography's own parser, :func:`nkbook.data.provenance.sources`) and every ``http(s)``
link of the built book's pages (``_build/html/**/*.html``: ``href`` and ``src`` attributes, read
with an HTML parser) that leads outside the book. The book's own addresses (its published site,
its repository, the Binder launch links, placeholders until the book is published) are not
checked: a launch link would start a Binder build.

Each address is asked once, whatever the number of places that give it: ``HEAD`` first, then
``GET`` (headers only: the body is not read) when ``HEAD`` is refused or fails, since many servers
answer ``HEAD`` wrongly. Redirects are followed. Requests carry a polite ``User-Agent``, wait at most
``--timeout`` seconds, run at most ``--workers`` at a time and at most two at a time per host.

Every result is one of:

* ``ok``: the final answer is below 400;
* ``blocked``: 401, 403 or 429: the server answered but refuses automated clients; listed, for a
  check by hand, and not counted as broken;
* ``broken``: any other status of 400 or more, or no answer (the host does not resolve, refuses the
  connection, fails TLS, or times out), or an address escaped twice (``&amp;`` left in it after
  the page's HTML is read: the server would be asked for the wrong parameters).

The report (place, address, result, status) is printed and written to ``_build/linkcheck.json``.
Exit status: 0 nothing broken; 1 broken links found; 65 the bibliography cannot be read; 2 bad
arguments; 75 offline: the first addresses asked (up to three hosts) could not be reached at all,
which says so, writes nothing and changes nothing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import ssl
import sys
import threading
import urllib.error
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from nkbook import __version__
from nkbook.core.errors import DataError
from nkbook.core.io import write_bytes_atomic
from nkbook.core.paths import bibliography_path, book_config, project_root, relative
from nkbook.data.provenance import sources

EXIT_OK, EXIT_BROKEN, EXIT_BAD_ARGS, EXIT_BAD_INPUT, EXIT_OFFLINE = 0, 1, 2, 65, 75
TIMEOUT = 20.0  # seconds without an answer before an address is given up
WORKERS = 8  # requests at a time in all
PER_HOST = 2  # requests at a time to one host
PROBE_HOSTS = 3  # hosts tried before the network is declared absent
BLOCKED = {401, 403, 429}
USER_AGENT = (
    f"nkbook-linkcheck/{__version__} (link check of a research book's sources; python urllib; "
    "one HEAD or GET per address per run)"
)
#: Tags and attributes that carry a link a reader follows or a page loads.
LINKING = {("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"), ("source", "src"), ("iframe", "src")}


@dataclass
class Result:
    url: str
    result: str  # ok, blocked or broken
    status: int | None  # the final HTTP status, or None when nothing answered
    detail: str  # the reason, or the address a redirect ended at
    where: list[str] = field(default_factory=list)


class Offline(Exception):
    """No address could be reached at all: the network is absent."""


# --------------------------------------------------------------------------- what to check
def bibliography_links(path: Path | None = None) -> dict[str, list[str]]:
    """Every entry's ``url``, with the entries that give it (``book/references.bib entry 'key'``)."""
    path = Path(path or bibliography_path())
    out: dict[str, list[str]] = defaultdict(list)
    for key, source in sources(path).items():
        if source.url.startswith(("http://", "https://")):
            out[source.url].append(f"{relative(path)} entry '{key}'")
    return dict(out)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if (tag, name) in LINKING and value and value.strip().lower().startswith(("http://", "https://")):
                self.links.append(value.strip())


def own_addresses() -> tuple[str, ...]:
    """The prefixes of the book's own addresses (``_config.yml``): its site, its repository and the
    Binder launch links of that repository."""
    config = book_config()
    out = []
    if base := (config.get("html") or {}).get("baseurl"):
        out.append(base.rstrip("/") + "/")
    if repo := (config.get("repository") or {}).get("url"):
        repo = repo.rstrip("/")
        out.append(repo)
        if binder := (config.get("launch_buttons") or {}).get("binderhub_url"):
            out.append(binder.rstrip("/") + "/v2/gh/" + repo.removeprefix("https://github.com/") + "/")
    return tuple(out)


def html_links(html_dir: Path, own: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """Every external link of the built pages (not ``_static``), with the pages that give it."""
    out: dict[str, list[str]] = defaultdict(list)
    for page in sorted(p for p in html_dir.rglob("*.html") if "_static" not in p.relative_to(html_dir).parts):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        for url in dict.fromkeys(parser.links):
            if not url.startswith(own) and url.rstrip("/") + "/" not in own:
                out[url].append(relative(page))
    return dict(out)


# --------------------------------------------------------------------------- asking
class _KeepMethod(urllib.request.HTTPRedirectHandler):
    """Follow a redirect with the method asked (the standard handler turns HEAD into GET)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            new.method = req.get_method()
        return new


_OPENER = urllib.request.build_opener(_KeepMethod)


def _ask(url: str, method: str, timeout: float) -> tuple[int, str]:
    """One request: the final status and the address it ended at (an HTTP error is an answer)."""
    request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status, response.url
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code, exc.url or url


def _unreachable(exc: BaseException) -> bool:
    """Whether a failure means the host could not be reached at all: its name does not resolve, or
    the connection is refused, finds no route or times out. A TLS error or a reset connection is an
    answer of a kind: something is there."""
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, (ssl.SSLError, ConnectionResetError, http.client.HTTPException)):
        return False
    return isinstance(reason, (socket.gaierror, TimeoutError, ConnectionRefusedError)) or (
        isinstance(reason, OSError) and getattr(reason, "errno", None) is not None
    )


def _describe(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or exc
    if isinstance(reason, TimeoutError | socket.timeout):
        return "no answer (timed out)"
    if isinstance(reason, socket.gaierror):
        return f"the host does not resolve ({reason})"
    return f"no answer ({type(reason).__name__}: {reason})"


def check(url: str, timeout: float = TIMEOUT) -> Result:
    """Ask one address: HEAD, then GET when HEAD is refused (an error status) or fails. An address
    that still holds ``&amp;`` after the page's HTML is read was escaped twice: whatever the server
    answers, it is asked for a parameter named ``amp;...``, so it is broken without asking."""
    if "&amp;" in url:
        return Result(url, "broken", None, "escaped twice: '&amp;' in the address (written '&amp;amp;' in the page)")
    try:
        status, final = _ask(url, "HEAD", timeout)
        if status < 400:
            return _result(url, status, final)
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        if isinstance(getattr(exc, "reason", exc), TimeoutError | socket.timeout | socket.gaierror):
            return Result(url, "broken", None, _describe(exc))
    try:
        status, final = _ask(url, "GET", timeout)
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        return Result(url, "broken", None, _describe(exc))
    return _result(url, status, final)


def _result(url: str, status: int, final: str) -> Result:
    if status < 400:
        return Result(url, "ok", status, "" if final == url else f"redirected to {final}")
    kind = "blocked" if status in BLOCKED else "broken"
    return Result(url, kind, status, f"HTTP {status}" + ("" if final == url else f" at {final}"))


def probe(urls: list[str], timeout: float = TIMEOUT) -> None:
    """Raise :class:`Offline` when none of the first hosts (up to :data:`PROBE_HOSTS`) can be
    reached at all; any answer, even an error status, proves the network is there."""
    hosts: dict[str, str] = {}
    for url in urls:
        hosts.setdefault(urlsplit(url).netloc, url)
        if len(hosts) == PROBE_HOSTS:
            break
    failures = []
    for url in hosts.values():
        try:
            _ask(url, "HEAD", timeout)
            return
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            if not _unreachable(exc):
                return  # an answer of some kind (a reset, a TLS error): the network is there
            failures.append(f"{url}: {_describe(exc)}")
        except ValueError:
            continue  # not an address urllib can ask: checked (and reported) with the others
    if failures:
        raise Offline("; ".join(failures))


def check_all(links: dict[str, list[str]], timeout: float = TIMEOUT, workers: int = WORKERS) -> list[Result]:
    """Every address asked once (at most ``workers`` at a time, :data:`PER_HOST` per host), sorted
    broken first, then blocked, then by address."""
    gates: dict[str, threading.BoundedSemaphore] = defaultdict(lambda: threading.BoundedSemaphore(PER_HOST))
    for url in links:
        gates[urlsplit(url).netloc]  # made before the threads start: no race on the dict

    def one(url: str) -> Result:
        with gates[urlsplit(url).netloc]:
            result = check(url, timeout)
        result.where = list(links[url])
        return result

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(one, links))
    order = {"broken": 0, "blocked": 1, "ok": 2}
    return sorted(results, key=lambda r: (order[r.result], r.url))


# --------------------------------------------------------------------------- the command
def main(argv: list[str] | None = None) -> int:
    root = project_root()
    parser = argparse.ArgumentParser(
        prog="python -m nkbook.publish.linkcheck",
        description=__doc__.splitlines()[0],
        epilog="exit status: 0 nothing broken; 1 broken links; 65 unreadable bibliography; 75 offline",
    )
    parser.add_argument("--html", type=Path, default=root / "_build" / "html", help="the built book (%(default)s)")
    parser.add_argument("--bib", type=Path, default=None, help="the bibliography (book/references.bib)")
    parser.add_argument("--report", type=Path, default=root / "_build" / "linkcheck.json", help="%(default)s")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds per request (%(default)s)")
    parser.add_argument("--workers", type=int, default=WORKERS, help="requests at a time (%(default)s)")
    args = parser.parse_args(argv)
    if args.timeout <= 0 or args.workers < 1:
        parser.error("--timeout must be positive and --workers at least 1")

    try:
        links = bibliography_links(args.bib)
    except DataError as exc:
        print(f"linkcheck: cannot read the bibliography:\n{exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if (args.html / "index.html").is_file():
        for url, pages in html_links(args.html, own_addresses()).items():
            links.setdefault(url, []).extend(pages)
        scope = f"book/references.bib and the built book in {relative(args.html)}"
    else:
        scope = "book/references.bib only"
        print(f"linkcheck: no built book in {relative(args.html)} (make book): checking {scope}")
    if not links:
        print("linkcheck: no external address to check")
        return EXIT_OK
    try:
        probe(list(links), args.timeout)
    except Offline as exc:
        print(
            f"offline: could not reach any of the first addresses ({exc}); nothing was checked or written",
            file=sys.stderr,
        )
        return EXIT_OFFLINE

    print(f"linkcheck: asking {len(links)} addresses from {scope} ...", flush=True)
    results = check_all(links, args.timeout, args.workers)
    counts = {kind: sum(r.result == kind for r in results) for kind in ("ok", "blocked", "broken")}
    for r in results:
        if r.result != "ok":
            print(f"{r.result.upper():8} {r.status or '-':>4}  {r.url}  ({r.detail})")
            for place in r.where:
                print(f"{'':15}{place}")
    print(
        f"linkcheck: {len(results)} addresses: {counts['ok']} ok, {counts['blocked']} blocked "
        f"(the server refuses automated clients: check by hand), {counts['broken']} broken"
    )
    report = {"checked": len(results), "scope": scope, **counts, "results": [asdict(r) for r in results]}
    write_bytes_atomic((json.dumps(report, indent=1, ensure_ascii=False) + "\n").encode("utf-8"), args.report)
    print(f"report: {relative(args.report)}")
    return EXIT_BROKEN if counts["broken"] else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
