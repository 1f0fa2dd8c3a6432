"""HTML templates (Jinja2, autoescaped) and static files (CSS, JavaScript) of the book.

Presentation lives in files, not in Python strings:

* ``src/nkbook/templates/*.html.j2``: the HTML that chapters' outputs and pages are made of
  (claim cards, the register, chart figures). :func:`render` fills one; every value is
  escaped unless a template marks it ``|safe`` (HTML the package made itself).
* ``src/nkbook/static/``: the stylesheets and scripts, copied into the built book's
  ``_static`` folder by :mod:`nkbook.publish.sphinx_ext`. Class names start with ``nkb-``.

An undefined name in a template is an error, never an empty string.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def render(name: str, **context) -> str:
    """The template ``name`` (in ``templates/``) filled with ``context``."""
    return environment().get_template(name).render(**context)


def static_files() -> list[Path]:
    """The book's own static files, in a stable order."""
    return sorted(p for p in STATIC.iterdir() if p.is_file() and not p.name.startswith("."))


def static_text(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")
