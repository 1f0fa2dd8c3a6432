"""``make linkcheck`` (nkbook.publish.linkcheck) against a local HTTP server on 127.0.0.1: an
address that answers, one that is gone, redirects, a server that refuses HEAD, one that refuses
robots, one that never answers; and the offline path (the network absent: nothing checked or
written, exit 75). Nothing leaves the machine."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from nkbook.publish import linkcheck

ROOT = Path(__file__).resolve().parents[1]
SLOW = 2.0  # seconds the slow address waits; the tests ask with a time-out well below it
TIMEOUT = 0.5


class _Handler(BaseHTTPRequestHandler):
    def _answer(self, body: bool) -> None:
        path = self.path
        if path == "/ok":
            self._send(200, body)
        elif path == "/missing":
            self._send(404, body)
        elif path == "/moved":
            self._send(301, body, Location="/ok")
        elif path == "/moved-away":
            self._send(302, body, Location="/missing")
        elif path == "/forbidden":
            self._send(403, body)
        elif path == "/no-head":  # a server that refuses HEAD but serves GET
            self._send(405 if self.command == "HEAD" else 200, body)
        elif path == "/slow":
            time.sleep(SLOW)
            self._send(200, body)
        else:
            self._send(500, body)

    def _send(self, status: int, body: bool, **headers: str) -> None:
        self.server.asked.append((self.command, self.path, self.headers.get("User-Agent", "")))
        payload = b"x" * 64
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if body:
            self.wfile.write(payload)

    def do_HEAD(self):  # noqa: N802 (the standard library's name)
        self._answer(body=False)

    def do_GET(self):  # noqa: N802
        self._answer(body=True)

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.asked = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    ("path", "result", "status", "detail"),
    [
        ("/ok", "ok", 200, ""),
        ("/missing", "broken", 404, "HTTP 404"),
        ("/moved", "ok", 200, "redirected to {base}/ok"),
        ("/moved-away", "broken", 404, "HTTP 404 at {base}/missing"),
        ("/forbidden", "blocked", 403, "HTTP 403"),
        ("/no-head", "ok", 200, ""),
        ("/slow", "broken", None, "no answer (timed out)"),
        ("/ok?a=1&amp;b=2", "broken", None, "escaped twice: '&amp;' in the address (written '&amp;amp;' in the page)"),
    ],
)
def test_check_one_address(server, path, result, status, detail):
    httpd, base = server
    got = linkcheck.check(base + path, timeout=TIMEOUT)
    assert (got.result, got.status, got.detail) == (result, status, detail.format(base=base))


def test_head_first_then_get_and_a_polite_user_agent(server):
    httpd, base = server
    httpd.asked.clear()
    linkcheck.check(base + "/ok", timeout=TIMEOUT)
    linkcheck.check(base + "/no-head", timeout=TIMEOUT)
    linkcheck.check(base + "/moved", timeout=TIMEOUT)
    assert [(m, p) for m, p, _ in httpd.asked] == [
        ("HEAD", "/ok"),
        ("HEAD", "/no-head"),
        ("GET", "/no-head"),
        ("HEAD", "/moved"),
        ("HEAD", "/ok"),  # the redirect is followed with HEAD, not turned into GET
    ]
    assert {ua for _, _, ua in httpd.asked} == {linkcheck.USER_AGENT}
    assert linkcheck.USER_AGENT.startswith("nkbook-linkcheck/")


def _entry(key: str, url: str) -> str:
    return (
        f"@online{{{key},\n  author = {{{{Someone}}}},\n  title = {{A page}},\n  howpublished = {{A publisher}},\n"
        f"  year = {{2024}},\n  date = {{2024-05-01}},\n  url = {{{url}}},\n  urldate = {{2026-11-22}},\n"
        "  sourcekind = {primary},\n}\n\n"
    )


def _project(tmp_path: Path, monkeypatch, entries: dict[str, str], pages: dict[str, str] | None = None) -> Path:
    """A project root (``_config.yml``, ``data/datapackage.json``, the bibliography and, if given,
    built pages) made the root for the module."""
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    (root / "data" / "datapackage.json").write_text("{}", encoding="utf-8")
    shutil.copy(ROOT / "_config.yml", root / "_config.yml")
    (root / "book").mkdir()
    bib = "".join(_entry(k, u) for k, u in entries.items())
    (root / "book" / "references.bib").write_text(bib, encoding="utf-8")
    for name, html in (pages or {}).items():
        page = root / "_build" / "html" / name
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(html, encoding="utf-8")
    monkeypatch.setenv("NKBOOK_ROOT", str(root))
    return root


def test_make_linkcheck_reports_every_place_and_exits_1_on_a_broken_link(server, tmp_path, monkeypatch, capsys):
    httpd, base = server
    site = "https://dprk-russia-book.github.io/dprk-russia-book/"
    binder = "https://mybinder.org/v2/gh/dprk-russia-book/dprk-russia-book/main?urlpath=lab/tree/./book/x.ipynb"
    root = _project(
        tmp_path,
        monkeypatch,
        {"src-ok": f"{base}/ok", "src-gone": f"{base}/missing", "src-robots": f"{base}/forbidden"},
        {
            "index.html": '<meta http-equiv="Refresh" content="0; url=book/a.html" />',
            "book/a.html": (
                f'<a href="{base}/ok">source</a> <a href="{base}/moved">moved</a> <a href="{site}book/a.html">'
                f'self</a> <link rel="canonical" href="{site}book/a.html"/> <a href="{binder}">launch</a>'
                '<a href="https://github.com/dprk-russia-book/dprk-russia-book/issues/new?title=x">issue</a>'
                '<a href="a.html#x">internal</a> <a href="mailto:someone@example.org">mail</a>'
                f'<a href="{base}/ok?lang=e&amp;amp;id=1">escaped twice, as MyST writes a link with &amp;</a>'
            ),
            "_static/skip.html": f'<a href="{base}/missing">not a page</a>',
        },
    )
    status = linkcheck.main(["--timeout", str(TIMEOUT)])
    out = capsys.readouterr().out
    assert status == linkcheck.EXIT_BROKEN
    report = json.loads((root / "_build" / "linkcheck.json").read_text(encoding="utf-8"))
    assert (report["checked"], report["ok"], report["blocked"], report["broken"]) == (5, 2, 1, 2)
    by_url = {r["url"]: r for r in report["results"]}
    twice = f"{base}/ok?lang=e&amp;id=1"
    assert set(by_url) == {f"{base}/ok", f"{base}/missing", f"{base}/forbidden", f"{base}/moved", twice}
    assert (by_url[twice]["result"], by_url[twice]["where"]) == ("broken", ["_build/html/book/a.html"])
    assert by_url[f"{base}/ok"]["where"] == ["book/references.bib entry 'src-ok'", "_build/html/book/a.html"]
    assert (by_url[f"{base}/missing"]["result"], by_url[f"{base}/missing"]["status"]) == ("broken", 404)
    assert by_url[f"{base}/missing"]["where"] == ["book/references.bib entry 'src-gone'"]
    assert by_url[f"{base}/forbidden"]["result"] == "blocked"
    assert report["results"][0]["url"] == f"{base}/missing"  # broken first
    assert f"BROKEN    404  {base}/missing  (HTTP 404)" in out
    assert "book/references.bib entry 'src-gone'" in out
    assert "5 addresses: 2 ok, 1 blocked" in out and "2 broken" in out


def test_all_good_exits_0_and_without_a_built_book_checks_the_bibliography(server, tmp_path, monkeypatch, capsys):
    httpd, base = server
    root = _project(tmp_path, monkeypatch, {"src-ok": f"{base}/ok", "src-moved": f"{base}/moved"})
    assert linkcheck.main(["--timeout", str(TIMEOUT)]) == linkcheck.EXIT_OK
    out = capsys.readouterr().out
    assert "no built book in _build/html (make book): checking book/references.bib only" in out
    report = json.loads((root / "_build" / "linkcheck.json").read_text(encoding="utf-8"))
    assert (report["checked"], report["ok"], report["broken"]) == (2, 2, 0)


@pytest.fixture
def no_dns(monkeypatch):
    """Name resolution fails for every host but 127.0.0.1: the network is absent."""
    real = socket.getaddrinfo

    def fake(host, *args, **kwargs):
        if host in ("127.0.0.1", "localhost"):
            return real(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fake)


def test_offline_says_so_writes_nothing_and_exits_75(no_dns, tmp_path, monkeypatch, capsys):
    root = _project(
        tmp_path,
        monkeypatch,
        {f"src-{i}": f"https://host{i}.example.org/page" for i in range(5)},
        {"index.html": "<p>book</p>", "book/a.html": '<a href="https://www.example.com/">x</a>'},
    )
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    assert linkcheck.main(["--timeout", str(TIMEOUT)]) == linkcheck.EXIT_OFFLINE
    err = capsys.readouterr().err
    assert err.startswith("offline: could not reach any of the first addresses")
    assert "https://host0.example.org/page: the host does not resolve" in err
    assert "nothing was checked or written" in err
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before  # no report, no folder


def test_one_dead_host_among_live_ones_is_a_broken_link_not_offline(server, no_dns, tmp_path, monkeypatch, capsys):
    httpd, base = server
    root = _project(tmp_path, monkeypatch, {"src-dead": "https://gone.example.org/x", "src-ok": f"{base}/ok"})
    assert linkcheck.main(["--timeout", str(TIMEOUT)]) == linkcheck.EXIT_BROKEN
    report = json.loads((root / "_build" / "linkcheck.json").read_text(encoding="utf-8"))
    dead = report["results"][0]
    assert (dead["url"], dead["result"], dead["status"]) == ("https://gone.example.org/x", "broken", None)
    assert dead["detail"].startswith("the host does not resolve")


def test_an_unreadable_bibliography_is_one_clear_error(tmp_path, monkeypatch, capsys):
    root = _project(tmp_path, monkeypatch, {"src-ok": "http://127.0.0.1:9/ok"})
    bib = root / "book" / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("  urldate = {2026-11-22},\n", ""), encoding="utf-8")
    assert linkcheck.main([]) == linkcheck.EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "book/references.bib entry 'src-ok'" in err and "has no urldate" in err
    assert not (root / "_build").exists()


@pytest.mark.parametrize("args", [["--workers", "0"], ["--timeout", "0"], ["--nonsense"]])
def test_bad_arguments_exit_2(args, tmp_path, monkeypatch, capsys):
    _project(tmp_path, monkeypatch, {"src-ok": "http://127.0.0.1:9/ok"})
    with pytest.raises(SystemExit) as exc:
        linkcheck.main(args)
    assert exc.value.code == linkcheck.EXIT_BAD_ARGS


def test_the_real_bibliography_and_book_config_are_read_with_their_parsers():
    """Every entry of book/references.bib with an address, read by pybtex (not a regex); the book's
    own addresses from _config.yml."""
    from nkbook.data.provenance import sources

    links = linkcheck.bibliography_links(ROOT / "book" / "references.bib")
    with_url = {s.url for s in sources(ROOT / "book" / "references.bib").values()}
    assert set(links) == with_url and len(links) > 300
    own = linkcheck.own_addresses()
    assert "https://dprk-russia-book.github.io/dprk-russia-book/" in own
    assert "https://mybinder.org/v2/gh/dprk-russia-book/dprk-russia-book/" in own
