"""HTML templates (Jinja2, autoescaped) and static files (CSS, JavaScript) of the book.

Presentation lives in files, not in Python strings:

* ``src/nkbook/templates/*.html.j2``: the HTML that chapters' outputs and pages are made of
  (claim cards, the register, chart figures). :func:`render` fills one; every value is
  escaped unless a template marks it ``|safe`` (HTML the package made itself).
* ``src/nkbook/static/``: the stylesheets and scripts, copied into the built book's
  ``_static`` folder by :mod:`nkbook.publish.sphinx_ext`. Class names start with ``nkb-``.
* :func:`script_json`: the one way a value becomes the text of an inline ``<script>`` element
  (a chart's spec, the ClaimReview JSON-LD): JSON in which ``<``, ``>``, ``&``, U+2028 and U+2029
  are written as ``\\u003c`` and the like, so that no text from the data can end the element,
  open a comment or a nested script inside it, whatever it holds.

An undefined name in a template is an error, never an empty string.
"""

from __future__ import annotations

import json
import re
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


#: What may not appear as itself in the text of a ``<script>`` element: ``<`` (``</script>`` ends it,
#: ``<!--`` and ``<script`` make the HTML parser look for two ends), ``>`` and ``&`` (for good
#: measure), and the two line separators JavaScript before ES2019 did not accept in a string.
_SCRIPT_UNSAFE = re.compile("[<>&\u2028\u2029]")


def script_json(value, *, indent: int | None = None) -> str:
    """``value`` as JSON that is safe as the whole text of an inline ``<script>`` element.

    Keys sorted, compact unless ``indent`` is given, non-ASCII characters kept; then every
    ``<``, ``>``, ``&``, U+2028 and U+2029 written as a JSON escape (``\\u003c`` ...), which can
    only stand inside a JSON string, so ``json.loads`` (or ``JSON.parse``) of the text gives back
    ``value`` exactly. NaN and infinity are refused (``ValueError``): they are not JSON, and a
    browser's ``JSON.parse`` would fail on them."""
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=indent, separators=separators, allow_nan=False)
    return _SCRIPT_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def render(name: str, **context) -> str:
    """The template ``name`` (in ``templates/``) filled with ``context``."""
    return environment().get_template(name).render(**context)


def static_files() -> list[Path]:
    """The book's own static files, in a stable order."""
    return sorted(p for p in STATIC.iterdir() if p.is_file() and not p.name.startswith("."))


def static_text(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")
