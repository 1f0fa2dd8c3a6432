"""Charts: one theme for the book and a renderer whose output is the same on every run.

Altair's own HTML output loads its JavaScript from a CDN and names its div with a random id,
so it neither draws offline nor passes nbval. This renderer instead returns a ``<figure>``
whose id is a hash of the chart's spec, holding

* the chart's title and subtitle as HTML, and a view (``role="img"`` with the alt text) that a
  ``vegaEmbed`` call draws with the vega, vega-lite and vega-embed bundle the book ships once
  as a static file (see :mod:`nkbook.publish.sphinx_ext`);
* its caption;
* the data behind the chart as an HTML table, folded under "Data behind this chart": the
  alternative for a reader who cannot see the chart or runs no JavaScript, made from the columns
  the chart's tooltips show, in their words and formats.

The spec carries only the columns the chart uses. There is no static image: a static SVG of every
chart doubled the weight of a page, and the table gives the same figures to every reader.

The renderer refuses a chart without alt text (``description``) or without a tooltip naming
the source on every mark: those are the book's rules for every chart.

Use ``nkbook.present.charts.figure(chart, caption=...)`` in a chapter; a bare chart also renders
through this renderer once this module is imported.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import altair as alt
import vl_convert as vlc

from nkbook.core.formats import day
from nkbook.present.templating import render, script_json

#: vega-lite version of the JavaScript bundle and of the SVG rendering; must match Altair's schema.
VEGALITE_VERSION = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]
#: Okabe and Ito's colour-blind-safe palette (black last).
#: Okabe and Ito's colour-blind-safe palette, with the three colours that have less than 3:1
#: contrast against white (orange, sky blue, yellow) darkened or replaced, so that every mark
#: stands out from the page (WCAG 2.1, 1.4.11); black last.
PALETTE = ["#0072B2", "#B26B00", "#009E73", "#D55E00", "#CC79A7", "#6A3D9A", "#767676", "#000000"]
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
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
            "axis": {
                "labelFontSize": 12,
                "titleFontSize": 12,
                "labelColor": "#222",
                "titleColor": "#222",
                "gridColor": "#e6e6e6",
            },
            "legend": {
                "labelFontSize": 12,
                "titleFontSize": 12,
                "orient": "bottom",
                "direction": "horizontal",
                "columns": 2,
                "labelLimit": 170,
            },
            "header": {"labelFontSize": 12, "titleFontSize": 12},
            "text": {"fontSize": 12},
        }
    }


def _units(spec: Any):
    """Every single-view spec (one with a mark) inside a layered, concatenated or faceted spec."""
    return (unit for unit, _ in _datasets_of(spec))


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


def _used_fields(spec: dict) -> callable:
    """A test of whether a dataset column is used anywhere in the spec outside the datasets."""
    text = json.dumps({k: v for k, v in spec.items() if k != "datasets"}, ensure_ascii=False)
    return lambda col: (
        f'"{col}"' in text or f"datum.{col}" in text or f"datum['{col}']" in text or f'datum["{col}"]' in text
    )


def trimmed(spec: dict) -> dict:
    """The spec with each dataset cut to the columns the chart uses (encodings, tooltips, transforms)."""
    if "datasets" not in spec:
        return spec
    used = _used_fields(spec)
    datasets = {
        name: [{k: v for k, v in row.items() if used(k)} for row in rows] for name, rows in spec["datasets"].items()
    }
    return {**spec, "datasets": datasets}


def _tooltips(unit: dict) -> list[dict]:
    tooltip = unit.get("encoding", {}).get("tooltip", [])
    return [t for t in (tooltip if isinstance(tooltip, list) else [tooltip]) if isinstance(t, dict) and "field" in t]


def _datasets_of(spec: Any, inherited: str | None = None):
    """Each single view with the name of the dataset it draws."""
    if not isinstance(spec, dict):
        return
    data = spec.get("data", {})
    name = data.get("name", inherited) if isinstance(data, dict) else inherited
    if "mark" in spec:
        yield spec, name
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for sub in spec.get(key, []):
            yield from _datasets_of(sub, name)
    if "spec" in spec:
        yield from _datasets_of(spec["spec"], name)


def _cell(value: Any, item: dict) -> str:
    """A value as the chart's tooltip shows it (d3 number and time formats of the simple kinds)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    fmt = item.get("format")
    if item.get("type") == "temporal":
        import pandas as pd

        stamp = pd.Timestamp(value)
        if pd.isna(stamp):
            return ""
        return stamp.strftime(fmt) if fmt else stamp.strftime("%Y-%m-%d")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if fmt:
        m = re.fullmatch(r"(,)?(?:\.(\d+))?([fd%])?", fmt)
        if m:
            comma, places, kind = m.groups()
            sep = "," if comma else ""
            if kind == "%":
                return f"{value * 100:{sep}.{places or 0}f}%"
            if kind == "d":
                return f"{round(value):{sep}d}"
            return f"{value:{sep}.{places or 0}f}"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def data_tables(spec: dict) -> str:
    """The data behind a chart as HTML tables: one per dataset drawn, with its tooltip columns."""
    seen, tables = set(), []
    for unit, name in _datasets_of(spec):
        items = _tooltips(unit)
        rows = spec.get("datasets", {}).get(name, []) if name else []
        fields = tuple(t["field"] for t in items if rows and t["field"] in rows[0])
        if not fields or (name, fields) in seen:
            continue
        seen.add((name, fields))
        keep = [t for t in items if t["field"] in fields]
        tables.append(
            render(
                "chart-data-table.html.j2",
                head=[str(t.get("title", t["field"])) for t in keep],
                rows=[[_cell(row.get(t["field"]), t) for t in keep] for row in rows],
            )
        )
    if not tables:
        raise ChartRuleError("chart has no data table: its tooltips name no column of its data")
    return "".join(tables)


def chart_id(spec: dict) -> str:
    return "nkb-" + hashlib.sha256(_canonical(spec).encode("utf-8")).hexdigest()[:16]


def _title_html(spec: dict) -> tuple[str, dict]:
    """The chart's title and subtitle as HTML (they wrap on a phone; Vega's do not), and the spec without them."""
    title = spec.get("title")
    if not title:
        return "", spec
    text, subtitle = (title.get("text", ""), title.get("subtitle", "")) if isinstance(title, dict) else (title, "")
    head = render("chart-title.html.j2", text=str(text), subtitle=str(subtitle or ""))
    return head, {k: v for k, v in spec.items() if k != "title"}


def _plain_title(spec: dict) -> str:
    title = spec.get("title", "")
    return str(title.get("text", "") if isinstance(title, dict) else title) or str(spec.get("description", ""))[:80]


COMPOSED = ("facet", "vconcat", "hconcat", "concat")


def _sized(spec: dict) -> dict:
    """Vega-Lite cannot fit a faceted or concatenated chart to its container (the browser draws it
    0 pixels wide): such a chart is drawn with ``autosize: pad`` at widths that
    ``static/nkbook-charts.js`` computes from its container (see :func:`adapt`)."""
    if any(k in spec for k in COMPOSED) and "autosize" not in spec:
        return {**spec, "autosize": {"type": "pad"}}
    return spec


#: Below this container width (px) a chart is laid out for a phone: legends in one column, axis
#: labels cut shorter, small multiples fewer to a row. Mirrors ``NARROW`` in static/nkbook-charts.js.
NARROW = 560
#: Container widths at which the box a chart needs is measured (a phone's and a desktop's column).
MEASURED_WIDTHS = {"narrow": 350, "wide": 740}
LEGEND_CHANNELS = ("color", "fill", "stroke", "shape", "size", "opacity", "strokeDash")


def _walk_encodings(spec: Any):
    if isinstance(spec, dict):
        if isinstance(spec.get("encoding"), dict):
            yield spec["encoding"]
        for key in ("layer", "hconcat", "vconcat", "concat"):
            for sub in spec.get(key, []):
                yield from _walk_encodings(sub)
        if "spec" in spec:
            yield from _walk_encodings(spec["spec"])


def adapt(spec: dict, width: float) -> dict:
    """The spec as ``nkbook-charts.js`` draws it in a container ``width`` pixels wide.

    The JavaScript function ``adapt`` does the same; this one only serves to measure the height
    a chart needs, so that its box is reserved before it is drawn (no layout shift).
    """
    spec = json.loads(json.dumps(spec))
    narrow = width < NARROW
    cap = max(60, int(width * (0.34 if narrow else 0.42)))
    for enc in _walk_encodings(spec):
        for channel, definition in enc.items():
            if not isinstance(definition, dict):
                continue
            if channel in ("x", "y") and isinstance(definition.get("axis"), dict):
                axis = definition["axis"]
                axis["labelLimit"] = min(axis.get("labelLimit", 180), cap)
                if (
                    narrow
                    and channel == "x"
                    and definition.get("type") in ("nominal", "ordinal")
                    and axis.get("labelAngle") == 0
                ):
                    axis.update(
                        labelAngle=270, labelAlign="right", labelBaseline="middle"
                    )  # upright names would overlap
            if channel in LEGEND_CHANNELS and narrow and isinstance(definition.get("legend"), dict):
                definition["legend"]["columns"] = 1
                definition["legend"]["labelLimit"] = min(definition["legend"].get("labelLimit", 170), int(width) - 60)
    config = spec.setdefault("config", {})
    config.setdefault("axis", {})["labelLimit"] = min(config.get("axis", {}).get("labelLimit", 180), cap)
    if narrow:
        config.setdefault("legend", {}).update(columns=1, labelLimit=int(width) - 60)
    inner = spec.get("spec")
    if "facet" in spec and isinstance(inner, dict) and isinstance(inner.get("width"), (int, float)):
        columns = spec.get("columns")
        if columns:
            fit = max(1, min(columns, int((width - 30) // (inner["width"] + 60))))
            spec["columns"] = fit
            inner["width"] = int(min(inner["width"] * 1.6, (width - 30) / fit - 60))
        else:
            inner["width"] = int(min(inner["width"], width - (cap + 40)))
    if spec.get("width") == "container":
        spec["width"] = int(width)
    return spec


def _measured_height(spec: dict, width: float) -> int:
    svg = vlc.vegalite_to_svg(adapt(spec, width), vl_version=VEGALITE_VERSION)
    return int(float(re.search(r'height="([0-9.]+)"', svg).group(1)) + 0.999)


def reserved_heights(spec: dict) -> dict[str, int]:
    """The height (px) of the drawn chart in a phone's and in a desktop's column, reserved in CSS."""
    return {name: _measured_height(spec, width) for name, width in MEASURED_WIDTHS.items()}


def _table_names() -> set[str]:
    from nkbook.data import package

    return {res["name"] for res in package()["resources"]}


def linked_caption(caption: str) -> str:
    """The caption with each table named as ``<code>table</code>`` linked to its data appendix page."""
    names = _table_names()
    return re.sub(
        r"<code>([a-z0-9_]+)</code>",
        lambda m: (
            f'<a class="nkb-table-link" href="appendix/{m.group(1)}.html"><code>{m.group(1)}</code></a>'
            if m.group(1) in names
            else m.group(0)
        ),
        caption,
    )


def render_html(spec: dict, caption: str | None = None) -> str:
    """The ``text/html`` output of a chart: a figure with its title, its view (a box of the height
    the chart needs), its buttons, its caption, the data behind it as a table, and its spec as
    JSON, which ``static/nkbook-charts.js`` draws (see templates/chart.html.j2)."""
    check_rules(spec)
    cid = chart_id({"spec": spec, "caption": caption})
    head, drawn = _title_html(_sized(trimmed(spec)))
    return (
        render(
            "chart.html.j2",
            cid=cid,
            head=head,
            alt_text=str(spec["description"]),
            chart_name=_plain_title(spec),
            caption=linked_caption(caption) if caption else "",
            tables=data_tables(drawn),
            heights=reserved_heights(drawn),
            payload=script_json(drawn),
        )
        + "\n"
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
