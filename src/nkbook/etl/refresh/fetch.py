"""Step 1 of ``make refresh``: download an official list (the addresses, the time-out, what a
download is, and the two ways it can fail before it is checked)."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Callable

from nkbook import __version__

UN_URL = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
OFAC_URL = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.CSV"
TIMEOUT = 60  # seconds without an answer before a download is given up
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


def fetch(url: str, timeout: float = TIMEOUT) -> Download:
    """Download ``url`` with the standard library; redirects are followed. A connection cut
    mid-file returns what arrived, for the length check to refuse."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        length = response.headers.get("Content-Length", "")
        try:
            data = response.read()
        except http.client.IncompleteRead as exc:
            data = exc.partial
    return Download(url, data, int(length) if length.strip().isdigit() else None)


def download(url: str, fetcher: Fetcher) -> Download:
    try:
        return fetcher(url, TIMEOUT)
    except urllib.error.HTTPError as exc:  # the server answered, but not with the file
        raise Offline(f"could not download {url} (HTTP {exc.code}: {exc.reason}); nothing was changed") from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise Offline(f"offline: could not reach {url} ({reason}); nothing was changed") from exc


# --- the two lists -------------------------------------------------------------------------
