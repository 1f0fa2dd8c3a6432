"""Charts: one theme for the book and a renderer whose output is the same on every run.

Altair's own HTML output loads its JavaScript from a CDN and names its div with a random id,
so it neither draws offline nor passes nbval. This renderer instead returns a ``<figure>``
whose id is a hash of the chart's spec, holding

* a static SVG of the chart (rendered by vl-convert), shown until the interactive chart has
  drawn, and kept where JavaScript does not run;
* a ``vegaEmbed`` call that draws the interactive chart with the vega, vega-lite and
  vega-embed bundle the book ships once as a static file (see :mod:`nkbook.sphinx_ext`).

The renderer refuses a chart without alt text (``description``) or without a tooltip naming
the source on every mark: those are the book's rules for every chart.

Use ``nkbook.charts.figure(chart, caption=...)`` in a chapter; a bare chart also renders
through this renderer once this module is imported.
"""
from __future__ import annotations

import hashlib
import html
import json
import re
from typing import Any

import altair as alt
import vl_convert as vlc

from .text import day

#: vega-lite version of the JavaScript bundle and of the SVG rendering; must match Altair's schema.
VEGALITE_VERSION = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]
#: Okabe and Ito's colour-blind-safe palette (black last).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
FALLBACK_WIDTH = 640  # width of the static SVG, where the page width is unknown
BUNDLE_FILE = "nkbook-vega.js"


class ChartRuleError(ValueError):
    """A chart breaks one of the book's rules (alt text, tooltips with a source)."""


def theme() -> dict:
    return {
        "config": {
            "font": FONT,
            "background": "white",
            "padding": 8,
            "autosize": {"type": "fit-x", "contains": "padding"},
            # no ARIA label per mark: the figure carries the alt text (role="img"), which hides the
            # marks from assistive technology anyway, and per-mark labels tripled the SVG's size
            "aria": False,
            "view": {"continuousHeight": 300, "stroke": None},
            "range": {"category": PALETTE},
            "title": {"fontSize": 15, "anchor": "start", "subtitleFontSize": 12, "subtitleColor": "#444", "offset": 10},
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelColor": "#222", "titleColor": "#222", "gridColor": "#e6e6e6"},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom", "direction": "horizontal", "columns": 2,
                       "labelLimit": 170},
            "header": {"labelFontSize": 12, "titleFontSize": 12},
            "text": {"fontSize": 12},
        }
    }


def _units(spec: Any):
    """Every single-view spec (one with a mark) inside a layered, concatenated or faceted spec."""
    if isinstance(spec, dict):
        if "mark" in spec:
            yield spec
        for key in ("layer", "hconcat", "vconcat", "concat"):
            for sub in spec.get(key, []):
                yield from _units(sub)
        if "spec" in spec:
            yield from _units(spec["spec"])


def check_rules(spec: dict) -> None:
    """Alt text, and a tooltip naming the source on every mark."""
    if not str(spec.get("description", "")).strip():
        raise ChartRuleError("chart has no alt text: set .properties(description=...)")
    for unit in _units(spec):
        mark = unit["mark"]["type"] if isinstance(unit["mark"], dict) else unit["mark"]
        tooltip = unit.get("encoding", {}).get("tooltip")
        if not tooltip:
            raise ChartRuleError(f"a {mark} mark has no tooltip: encode tooltip=[value, date, source]")
        items = tooltip if isinstance(tooltip, list) else [tooltip]
        names = " ".join(str(i.get("field", "")) + " " + str(i.get("title", "")) for i in items if isinstance(i, dict))
        if "source" not in names.lower():
            raise ChartRuleError(f"the tooltip of a {mark} mark names no source field")


def _canonical(spec: dict) -> str:
    return json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _fixed_width(spec: Any) -> Any:
    """The same spec with ``width: "container"`` replaced, for the static rendering."""
    if isinstance(spec, dict):
        return {k: (FALLBACK_WIDTH if k == "width" and v == "container" else _fixed_width(v)) for k, v in spec.items()}
    if isinstance(spec, list):
        return [_fixed_width(v) for v in spec]
    return spec


def static_svg(spec: dict) -> str:
    svg = vlc.vegalite_to_svg(_fixed_width(spec), vl_version=VEGALITE_VERSION)
    return re.sub(r">\s+<", "><", svg.strip())


def chart_id(spec: dict) -> str:
    return "nkb-" + hashlib.sha256(_canonical(spec).encode("utf-8")).hexdigest()[:16]


def _title_html(spec: dict) -> tuple[str, dict]:
    """The chart's title and subtitle as HTML (they wrap on a phone; Vega's do not), and the spec without them."""
    title = spec.get("title")
    if not title:
        return "", spec
    text, subtitle = (title.get("text", ""), title.get("subtitle", "")) if isinstance(title, dict) else (title, "")
    head = f'<p class="nkb-chart-title">{html.escape(str(text))}</p>'
    if subtitle:
        head += f'<p class="nkb-chart-subtitle">{html.escape(str(subtitle))}</p>'
    return head, {k: v for k, v in spec.items() if k != "title"}


COMPOSED = ("facet", "vconcat", "hconcat", "concat")


def _sized(spec: dict) -> dict:
    """Vega-Lite cannot fit a faceted or concatenated chart to its container (the browser draws it
    0 pixels wide): such a chart keeps the widths its views give (``autosize: pad``)."""
    if any(k in spec for k in COMPOSED) and "autosize" not in spec:
        return {**spec, "autosize": {"type": "pad"}}
    return spec


def render_html(spec: dict, caption: str | None = None) -> str:
    """The ``text/html`` output of a chart: a figure with its title, a static SVG and a vegaEmbed call."""
    check_rules(spec)
    cid = chart_id({"spec": spec, "caption": caption})
    head, drawn = _title_html(_sized(spec))
    alt_text = html.escape(str(spec["description"]), quote=True)
    svg = static_svg(drawn).replace("<svg ", f'<svg role="img" aria-label="{alt_text}" ', 1)
    payload = _canonical(drawn).replace("</", "<\\/")  # never close the script early
    cap = f'<figcaption class="nkb-caption">{caption}</figcaption>' if caption else ""
    return (
        f'<figure class="nkb-chart" id="{cid}">{head}'
        f'<div class="nkb-chart-view" role="img" aria-label="{alt_text}"></div>'
        f'<div class="nkb-chart-fallback">{svg}</div>{cap}</figure>\n'
        f'<script type="text/javascript">(function(){{var spec={payload};'
        f'function draw(){{if(!window.vegaEmbed){{return setTimeout(draw,50);}}'
        f'var fig=document.getElementById("{cid}");'
        f'window.vegaEmbed(fig.querySelector(".nkb-chart-view"),spec,{{actions:false,renderer:"svg"}})'
        f'.then(function(){{fig.classList.add("nkb-drawn");}})'
        f'.catch(function(e){{console.error("chart {cid} kept its static image:",e);}});}}'
        f'if(document.readyState==="loading"){{document.addEventListener("DOMContentLoaded",draw);}}else{{draw();}}}})();</script>'
    )


def renderer(spec: dict, **_: Any) -> dict:
    """Altair renderer: a chart shown bare in a notebook renders the same way, without caption."""
    return {"text/html": render_html(spec)}


class Figure:
    """A chart with its caption, for a chapter: ``figure(chart, caption=...)`` as a cell's last line."""

    def __init__(self, chart: alt.TopLevelMixin, caption: str, as_of=None):
        self.spec = chart.to_dict()
        self.caption = caption if as_of is None else f"{caption} Data to {day(as_of)}."
        check_rules(self.spec)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": render_html(self.spec, self.caption), "text/plain": repr(self)}

    def __repr__(self) -> str:  # the default repr holds a memory address, which nbval cannot compare
        title = self.spec.get("title", {})
        title = title.get("text", "") if isinstance(title, dict) else title
        return f"<Figure: {title}>"


def figure(chart: alt.TopLevelMixin, caption: str, as_of=None) -> Figure:
    """A chart with its caption; ``as_of`` (the latest date in the chart's data) ends the caption."""
    return Figure(chart, caption, as_of)



def javascript_bundle() -> str:
    """vega, vega-lite and vega-embed as one script, defining ``window.vegaEmbed``.

    Wrapped in a function: unwrapped, the bundle's top-level names collide with Sphinx's
    own scripts and ``vegaEmbed`` ends up undefined.
    """
    snippet = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"
    return "(()=>{\n" + vlc.javascript_bundle(snippet, vl_version=VEGALITE_VERSION) + "\n})();\n"


def enable() -> None:
    alt.theme.register("nkbook", enable=True)(lambda: alt.theme.ThemeConfig(theme()))
    alt.renderers.register("nkbook", renderer)
    alt.renderers.enable("nkbook")


enable()
