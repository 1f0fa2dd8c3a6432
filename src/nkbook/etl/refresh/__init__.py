"""``python -m nkbook.etl.refresh`` (``make refresh``): update the UN and OFAC tables from the live lists.

The refresh downloads the lists, checks them, shows what changed, and only then replaces the
derived tables. For each list, the UN Security Council Consolidated List (XML) and OFAC's SDN
list (``sdn.csv``):

1. Download the official file. The UN publishes the list at ``UN_URL``. OFAC now serves its
   list files from its Sanctions List Service (download page:
   https://sanctionslist.ofac.treas.gov/Home/static/sdn.html, file "SDN.CSV"), at ``OFAC_URL``;
   the old address https://www.treasury.gov/ofac/downloads/sdn.csv redirects there. Redirects
   are followed to HTTP(S) addresses only; a download is given up past ``MAX_BYTES`` or
   ``DEADLINE`` seconds in all (besides ``TIMEOUT`` for each wait), and any partial read (a
   chunked body or a connection cut short or reset) is a bad download.
2. Check that the download is whole and is the list: its length matches ``Content-Length``
   where the server announced one; OFAC's CSV ends with its end-of-file byte ``\\x1a`` (without
   it, only a matching ``Content-Length`` shows the file whole); the UN's XML parses with
   defusedxml (no document type declaration, no entity), closes its root ``CONSOLIDATED_LIST``,
   whose ``dateGenerated`` is no older than the table's copy, and has a reference number and
   listing date on every DPRK entry; every row of OFAC's CSV has 12 fields and its last line is
   whole; both hold at least the ``*_MIN_*`` entries, overall and under the DPRK programs.
3. Compare the DPRK entries with the current table and print what was added, removed and
   changed. An entry of the table missing from the download (a delisting, which the UN and OFAC
   announce) makes the refresh refuse, naming it, unless the maintainer acknowledges it with
   ``--accept-removal ID`` (repeatable) or ``--accept-removals``.
4. If anything changed: store the download as a new dated snapshot in ``../shared`` (an existing
   snapshot is never overwritten), rebuild the table from the snapshots exactly as ``make data``
   will, add a BibTeX entry for the new copy, bring the schema up to date (the UN table's
   ``listed_on`` maximum; OFAC's new ``in_list_YYYY_MM_DD`` column) and validate the whole data
   package in a staging copy of the project. No value written into the bibliography may hold
   a brace, a backslash or a line break (the UN's ``dateGenerated`` is read from the parsed
   root, never from the raw bytes). Only then are files replaced (``apply``): every new file
   is first written beside its target, a journal of the replacement is written, then all are
   renamed in turn, snapshots first and ``data/datapackage.json`` (the hashes) last. A refresh
   killed part-way leaves the journal: the next ``make refresh`` or ``make data`` finishes it
   (every new file there and whole) or rolls it back, and says which.

Exit statuses: 0 refreshed, or nothing to change; 1 refused (an entry would vanish without
acknowledgement, ``../shared`` is missing, or the refreshed data would not validate or could not
be written, or an interrupted refresh could be neither finished nor rolled back); 2 wrong
arguments; 65 (EX_DATAERR) a bad download: corrupt, cut short, larger than ``MAX_BYTES``, slower
than ``DEADLINE``, redirected to a scheme other than HTTP(S), or outside the sanity bounds; 75
(EX_TEMPFAIL) offline: a list could not be downloaded (no network, no answer within the
time-out, HTTP error). Whatever the status, no file was changed unless the report ends with the files
written; should a rename fail part-way (status 1, "interrupted"), the files already replaced
are put back at once, and the message says so.
"""

from nkbook.etl.refresh.apply import Interrupted, apply_writes, recover
from nkbook.etl.refresh.check import CHECKS, LISTS, OFAC, UN, Changes, Checked, OfficialList, Refused, compare, report
from nkbook.etl.refresh.fetch import (
    DEADLINE,
    MAX_BYTES,
    OFAC_URL,
    TIMEOUT,
    UN_URL,
    BadDownload,
    Download,
    Offline,
    download,
    fetch,
)
from nkbook.etl.refresh.run import EXIT_BAD_DOWNLOAD, EXIT_OFFLINE, EXIT_OK, EXIT_REFUSED, main
from nkbook.etl.refresh.stage import OFAC_REFRESH_NOTE, stage_writes

__all__ = [
    "CHECKS",
    "DEADLINE",
    "EXIT_BAD_DOWNLOAD",
    "EXIT_OFFLINE",
    "EXIT_OK",
    "EXIT_REFUSED",
    "LISTS",
    "MAX_BYTES",
    "OFAC",
    "OFAC_REFRESH_NOTE",
    "OFAC_URL",
    "TIMEOUT",
    "UN",
    "UN_URL",
    "BadDownload",
    "Changes",
    "Checked",
    "Download",
    "Interrupted",
    "Offline",
    "OfficialList",
    "Refused",
    "apply_writes",
    "compare",
    "download",
    "fetch",
    "main",
    "recover",
    "report",
    "stage_writes",
]
