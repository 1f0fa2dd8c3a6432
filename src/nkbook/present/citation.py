"""How to cite this edition: its version, its release date and its own address.

The paragraph that opens *How to cite* (``templates/how-to-cite.md.j2``, Markdown, read by the
``{nkbook-edition}`` directive of :mod:`nkbook.publish.sphinx_ext`). The date is the release's
(:func:`nkbook.core.releases.release_date`); a build of a version that is not released says so
and gives no date.
"""

from __future__ import annotations

from pathlib import Path

from nkbook import __version__
from nkbook.core import releases
from nkbook.core.formats import day
from nkbook.present.templating import environment


def edition(version: str = __version__, root: Path | None = None) -> dict:
    """The facts a citation of this edition needs: version, date (``None`` for an unreleased
    build), its own address and the address of the newest edition."""
    date = releases.release_date(version, root)
    return {
        "version": version,
        "date": date,
        "day": day(date) if date else "",
        "url": releases.edition_url(version, root),
        "latest": releases.latest_url(root),
    }


def how_to_cite(version: str = __version__, root: Path | None = None) -> str:
    """The Markdown paragraph that says which edition this is and how to cite it."""
    return environment().overlay(autoescape=False).get_template("how-to-cite.md.j2").render(**edition(version, root))
