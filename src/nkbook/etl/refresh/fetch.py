"""Step 1 of ``make refresh``: download an official list (the addresses, the limits, what a
download is, and the two ways it can fail before it is checked).

A download is bad (:class:`BadDownload`, exit 65) as soon as the server has begun to answer and
the body does not arrive whole: a partial read (a chunked body or a connection cut short, a
connection reset, a read timing out), more than ``MAX_BYTES``, more than ``DEADLINE`` seconds in
all, or a redirect to anything but HTTP(S). It is offline (:class:`Offline`, exit 75) when no
answer came: no network, a name that does not resolve, no answer within ``TIMEOUT``, an HTTP error.
"""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Callable

from nkbook import __version__

UN_URL = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
OFAC_URL = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.CSV"
TIMEOUT = 60  # seconds without an answer before a download is given up
DEADLINE = 120  # seconds for a whole download, redirects and body included (the real files take a few)
MAX_BYTES = 64 * 1024 * 1024  # the real files are 2-4 MB: anything past this is not the list
CHUNK = 64 * 1024
SCHEMES = ("http", "https")
USER_AGENT = f"nkbook-refresh/{__version__} (research book; python urllib)"


class Offline(Exception):
    """A list could not be downloaded: the network is absent or the server did not deliver."""


class BadDownload(Exception):
    """A download is corrupt, cut short or implausible; the message starts with its address."""


@dataclass(frozen=True)
class Download:
    url: str
    data: bytes
    content_length: int | None = None  # as the server announced it, if it did


Fetcher = Callable[[str, float], Download]


class _HTTPOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects to HTTP(S) addresses only: any other scheme (file:, ftp:, data:) is a
    bad download, not a reason to read a local file or to call the list offline."""

    def http_error_302(self, req, fp, code, msg, headers):
        target = headers.get("Location") or headers.get("URI") or ""
        scheme = urllib.parse.urlparse(urllib.parse.urljoin(req.full_url, target)).scheme.lower()
        if scheme not in SCHEMES:
            fp.close()
            raise BadDownload(
                f"{req.full_url}: HTTP {code} redirect to {target[:200]!r}: only http and https addresses are followed"
            )
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _settimeout(response, seconds: float) -> None:
    """Bound the next read of ``response`` by ``seconds`` (the socket under http.client's file)."""
    sock = getattr(getattr(getattr(response, "fp", None), "raw", None), "_sock", None)
    if isinstance(sock, socket.socket):
        sock.settimeout(max(seconds, 0.001))


def _too_slow(url: str, deadline: float, size: int) -> str:
    return (
        f"{url}: the download took more than {deadline:g} s in all (DEADLINE) and was given up "
        f"after {size:,} bytes: too slow or endless"
    )


def fetch(
    url: str, timeout: float = TIMEOUT, *, deadline: float | None = None, max_bytes: int | None = None
) -> Download:
    """Download ``url`` (HTTP or HTTPS; redirects followed to HTTP(S) only), reading at most
    ``max_bytes`` (``MAX_BYTES``) within ``deadline`` (``DEADLINE``) seconds in all; each wait
    for the server is bounded by ``timeout`` and by what is left of the deadline. Raises
    :class:`BadDownload` if the body does not arrive whole, and lets the errors of reaching the
    server through (``download`` calls them offline)."""
    deadline = DEADLINE if deadline is None else deadline
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    if urllib.parse.urlparse(url).scheme.lower() not in SCHEMES:
        raise BadDownload(f"{url}: not an http or https address")
    started = time.monotonic()
    opener = urllib.request.build_opener(_HTTPOnlyRedirects)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with opener.open(request, timeout=min(timeout, deadline)) as response:
        final = response.geturl()
        if urllib.parse.urlparse(final).scheme.lower() not in SCHEMES:  # belt and braces
            raise BadDownload(f"{url}: answered from {final!r}: only http and https addresses are followed")
        header = response.headers.get("Content-Length", "")
        length = int(header) if header.strip().isdigit() else None
        if length is not None and length > max_bytes:
            raise BadDownload(
                f"{url}: {length:,} bytes announced (Content-Length), more than the {max_bytes:,} allowed "
                "(MAX_BYTES): not the list"
            )
        parts: list[bytes] = []
        size = 0
        while True:
            left = deadline - (time.monotonic() - started)
            if left <= 0:
                raise BadDownload(_too_slow(url, deadline, size))
            _settimeout(response, min(timeout, left))
            try:
                part = response.read1(CHUNK)
            except http.client.IncompleteRead as exc:
                raise BadDownload(
                    f"{url}: cut short: the connection ended after {size + len(exc.partial):,} bytes, "
                    f"{'before the end of the body' if exc.expected is None else f'{exc.expected:,} more expected'}"
                ) from exc
            except TimeoutError as exc:  # the wait was bounded by what was left of the deadline
                if time.monotonic() - started >= deadline:
                    raise BadDownload(_too_slow(url, deadline, size)) from exc
                raise BadDownload(f"{url}: cut short after {size:,} bytes (no data for {timeout:g} s)") from exc
            except (OSError, http.client.HTTPException) as exc:  # reset, protocol error mid-body
                raise BadDownload(f"{url}: cut short after {size:,} bytes ({exc or type(exc).__name__})") from exc
            if not part:
                break
            size += len(part)
            if size > max_bytes:
                raise BadDownload(
                    f"{url}: more than {max_bytes:,} bytes (MAX_BYTES) and still coming: not the list; given up"
                )
            parts.append(part)
    if length is not None and size != length:  # a body cut short without a protocol error
        raise BadDownload(f"{url}: cut short: {size:,} bytes received, {length:,} announced (Content-Length)")
    return Download(url, b"".join(parts), length)


def download(url: str, fetcher: Fetcher) -> Download:
    try:
        return fetcher(url, TIMEOUT)
    except BadDownload:
        raise
    except urllib.error.HTTPError as exc:  # the server answered, but not with the file
        raise Offline(f"could not download {url} (HTTP {exc.code}: {exc.reason}); nothing was changed") from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise Offline(f"offline: could not reach {url} ({reason}); nothing was changed") from exc


# --- the two lists -------------------------------------------------------------------------
