"""The chart renderer: deterministic output, the book's rules enforced, the bundle usable offline."""

from __future__ import annotations

import json
import re
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from nkbook.present import charts

DATA = pd.DataFrame({"day": ["2024-01-01", "2024-02-01"], "n": [3, 5], "source": ["S (2024)", "S (2024)"]})


def good_chart():
    return (
        alt.Chart(DATA)
        .mark_bar()
        .encode(
            x="day:T",
            y="n:Q",
            tooltip=[alt.Tooltip("day:T"), alt.Tooltip("n:Q"), alt.Tooltip("source:N", title="Source")],
        )
        .properties(width="container", title="Test", description="Two bars, 3 and 5.")
    )


def test_output_is_identical_from_run_to_run():
    one = charts.figure(good_chart(), caption="C")._repr_mimebundle_()
    two = charts.figure(good_chart(), caption="C")._repr_mimebundle_()
    assert one == two
    html = one["text/html"]
    assert "altair-viz" not in html and not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", html)  # no uuid
    assert re.search(r"<figure class=\"nkb-chart\" id=\"nkb-[0-9a-f]{16}\"><p class=\"nkb-chart-title\">Test</p>", html)
    assert one["text/plain"] == "<Figure: Test>"


def test_id_changes_with_the_chart():
    other = good_chart().properties(title="Other")
    assert charts.chart_id(good_chart().to_dict()) != charts.chart_id(other.to_dict())


def test_alt_text_caption_and_data_table_instead_of_a_static_image():
    html = charts.figure(good_chart(), caption="Caption <code>x</code>")._repr_mimebundle_()["text/html"]
    assert re.search(
        r'<div class="nkb-chart-view" role="img" aria-label="Two bars, 3 and 5." '
        r'style="--nkb-h-narrow:\d+px;--nkb-h-wide:\d+px"></div>',
        html,
    )
    assert "<svg" not in html
    assert '<figcaption class="nkb-caption">Caption <code>x</code></figcaption>' in html  # x is not a table
    assert (
        '<details class="nkb-chart-data"><summary>Data behind this chart</summary>'
        '<div class="nkb-table-scroll" role="region" tabindex="0" aria-label="Data behind the chart: Test">'
        '<table class="nkb-data-table">'
        '<thead><tr><th scope="col">day</th><th scope="col">n</th><th scope="col">Source</th></tr></thead>'
        "<tbody><tr><td>2024-01-01</td><td>3</td><td>S (2024)</td></tr><tr><td>2024-02-01</td><td>5</td><td>S (2024)</td></tr>"
        '</tbody></table></div></details><script type="application/json" class="nkb-chart-spec">{'
    ) in html
    assert html.rstrip().endswith("</script></figure>")
    assert "vegaEmbed" not in html and "cdn" not in html.lower()  # drawn by the book's script, not inline code
    script = (Path(charts.__file__).with_name("static") / "nkbook-charts.js").read_text(encoding="utf-8")
    assert 'svg.setAttribute("aria-hidden", "true")' in script  # the drawn chart is named by its view, not its marks
    assert "new ResizeObserver" in script and "toImageURL" in script


def test_spec_is_json_in_the_figure_and_the_chart_is_drawn_from_it():
    html = charts.render_html(good_chart().to_dict())
    payload = re.search(r'<script type="application/json" class="nkb-chart-spec">(.*?)</script>', html, re.S).group(1)
    spec = json.loads(payload)
    assert spec["width"] == "container" and spec["description"] == "Two bars, 3 and 5."
    assert "title" not in spec  # the title is HTML above the chart (it wraps on a phone)


def test_buttons_download_the_chart_and_its_data_and_link_to_it():
    html = charts.figure(good_chart(), caption="C")._repr_mimebundle_()["text/html"]
    cid = re.search(r'id="(nkb-[0-9a-f]{16})"', html).group(1)
    actions = re.search(r'<div class="nkb-chart-actions" hidden>(.*?)</div>', html).group(1)
    assert [k for k in re.findall(r'data-nkb-download="(\w+)"', actions)] == ["png", "svg", "csv"]
    assert f'<a class="nkb-chart-permalink" href="#{cid}">' in actions


def test_caption_links_each_table_to_its_data_appendix_page():
    caption = "Data: <code>troop_estimates</code> (estimate_kind = in_place), <code>not_a_table</code>."
    linked = charts.linked_caption(caption)
    assert linked == (
        'Data: <a class="nkb-table-link" href="appendix/troop_estimates.html"><code>troop_estimates</code></a> '
        "(estimate_kind = in_place), <code>not_a_table</code>."
    )
    assert (Path(charts.__file__).parents[3] / "book" / "appendix" / "troop_estimates.md").is_file()


def test_height_is_reserved_for_a_phone_and_a_desktop():
    wide_legend = (
        alt.Chart(DATA.assign(kind=[f"a rather long category name {i}" for i in range(2)]))
        .mark_bar()
        .encode(
            x="day:T",
            y="n:Q",
            color=alt.Color("kind:N", legend=alt.Legend(columns=2, labelLimit=170)),
            tooltip=[alt.Tooltip("source:N", title="Source")],
        )
        .properties(width="container", height=200, description="d")
    )
    heights = charts.reserved_heights(wide_legend.to_dict())
    assert 200 < heights["wide"] < heights["narrow"] < 400  # on a phone the legend takes one column, so more rows
    narrow = charts.adapt(wide_legend.to_dict(), 350)
    assert narrow["encoding"]["color"]["legend"]["columns"] == 1 and narrow["width"] == 350


def test_small_multiples_fit_a_phone():
    base = (
        alt.Chart(DATA.assign(g=["a", "b"]))
        .mark_bar()
        .encode(x="day:T", y="n:Q", tooltip=[alt.Tooltip("source:N", title="Source")])
        .properties(width=150)
    )
    spec = base.facet(facet="g:N", columns=3).properties(description="d").to_dict()
    assert charts.adapt(spec, 350)["columns"] == 1 and charts.adapt(spec, 740)["columns"] == 3
    assert charts.adapt(spec, 350)["spec"]["width"] <= 350 - 60


def test_spec_carries_only_the_columns_the_chart_uses():
    wide = DATA.assign(note="an unused note", kind=["a", "b"])
    chart = (
        alt.Chart(wide)
        .mark_bar()
        .encode(x="day:T", y="n:Q", tooltip=["n:Q", alt.Tooltip("source:N", title="Source")])
        .transform_filter("datum.kind === 'a'")
        .properties(description="d")
    )
    spec = charts.trimmed(chart.to_dict())
    (rows,) = spec["datasets"].values()
    assert rows == [
        {"day": "2024-01-01", "n": 3, "source": "S (2024)", "kind": "a"},
        {"day": "2024-02-01", "n": 5, "source": "S (2024)", "kind": "b"},
    ]  # kind is read by the filter
    assert "an unused note" not in charts.render_html(chart.to_dict())


@pytest.mark.parametrize(
    "value, item, shown",
    [
        (1234.5678, {}, "1,234.568"),
        (1500000, {}, "1,500,000"),
        (0.8912, {"format": ".2f"}, "0.89"),
        (41.6, {"format": "d"}, "42"),
        (0.25, {"format": ".0%"}, "25%"),
        (12000.0, {"format": ","}, "12,000"),
        ("2024-11-05T00:00:00", {"type": "temporal", "format": "%d %b %Y"}, "05 Nov 2024"),
        ("2024-11-05T00:00:00", {"type": "temporal"}, "2024-11-05"),
        ("", {"type": "temporal"}, ""),
        (None, {}, ""),
        (float("nan"), {}, ""),
        ("yes", {}, "yes"),
    ],
)
def test_table_cells_are_formatted_as_the_tooltips_show_them(value, item, shown):
    assert charts._cell(value, item) == shown


def test_layered_chart_gets_a_table_per_dataset_and_none_twice():
    marks = pd.DataFrame({"year": [2022], "label": ["invasion"], "source": ["S"]})
    base = (
        alt.Chart(DATA).mark_line().encode(x="day:T", y="n:Q", tooltip=["n:Q", alt.Tooltip("source:N", title="Source")])
    )
    rule = alt.Chart(marks).mark_rule().encode(x="year:O", tooltip=["label:N", alt.Tooltip("source:N", title="Source")])
    html = charts.render_html((base + base.mark_point() + rule).properties(description="d").to_dict())
    assert html.count('<table class="nkb-data-table">') == 2
    assert "<td>invasion</td><td>S</td>" in html


def test_script_cannot_be_closed_early_by_data():
    df = DATA.assign(source=["</script><b>x", "<!--<script> & more"])
    chart = alt.Chart(df).mark_bar().encode(x="day:T", y="n:Q", tooltip=["n:Q", "source:N"]).properties(description="d")
    html = charts.render_html(chart.to_dict())
    assert html.count("</script>") == 1 and "<!--" not in html
    payload = re.search(r'class="nkb-chart-spec">(.*?)</script>', html, re.S).group(1)
    assert not re.search(r"[<>&]", payload)
    assert "\\u003c/script\\u003e\\u003cb\\u003ex" in payload and "\\u0026 more" in payload
    rows = next(iter(json.loads(payload)["datasets"].values()))
    assert [r["source"] for r in rows] == ["</script><b>x", "<!--<script> & more"]


def test_bare_chart_uses_the_renderer_and_theme():
    assert alt.renderers.active == "nkbook" and alt.theme.active == "nkbook"
    bundle = good_chart()._repr_mimebundle_()
    html = bundle[0]["text/html"] if isinstance(bundle, tuple) else bundle["text/html"]
    assert html.startswith('<figure class="nkb-chart"')
    assert charts.PALETTE[0] in html  # Okabe-Ito blue from the theme


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda c: c.properties(description=""), "no alt text"),
        (lambda c: alt.Chart(DATA).mark_bar().encode(x="day:T", y="n:Q").properties(description="d"), "no tooltip"),
        (
            lambda c: (
                alt.Chart(DATA).mark_bar().encode(x="day:T", y="n:Q", tooltip=["n:Q"]).properties(description="d")
            ),
            "names no source",
        ),
        (
            lambda c: (c + alt.Chart(DATA).mark_rule().encode(y="n:Q")).properties(description="d"),
            "rule mark has no tooltip",
        ),
    ],
)
def test_rules_are_enforced(change, message):
    with pytest.raises(charts.ChartRuleError, match=message):
        charts.figure(change(good_chart()), caption="c")


def test_javascript_bundle_is_wrapped_and_defines_vega_embed():
    js = charts.javascript_bundle()
    assert js.startswith("(()=>{\n") and js.rstrip().endswith("})();")
    assert "window.vegaEmbed" in js
    assert len(js) > 500_000
    assert charts.VEGALITE_VERSION == alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]


def test_verdict_bars_label_each_bar_and_keep_the_scale_order():
    from nkbook.analysis import claims, findings
    from nkbook.present import claim_pages, plots

    register = claims.register()
    tidy = findings.tallies(register, by="label").assign(source="essays")
    chart = plots.verdict_bars(
        tidy,
        category="label",
        category_title="Essay",
        title="t",
        subtitle="s",
        description="d",
        verdicts=claims.VERDICTS,
        colours=claim_pages.VERDICT_COLOURS,
        when_labels={"publication": "then", "cutoff": "now"},
    )
    spec = chart.to_dict()
    charts.check_rules(spec)
    assert spec["encoding"]["y"]["sort"] == ["A · then", "A · now", "B · then", "B · now", "C · then", "C · now"]
    assert spec["encoding"]["color"]["scale"]["domain"] == list(claims.VERDICTS)
    assert spec["encoding"]["color"]["scale"]["range"][2] == "#D55E00"  # Contradicted
    data = pd.DataFrame(spec["datasets"][spec["data"]["name"]])
    assert data.loc[(data["bar"] == "B · now") & (data["verdict"] == "Contradicted"), "claims"].sum() == 4


def test_composed_charts_keep_their_width_instead_of_fitting_the_container():
    # the theme's autosize "fit-x" draws a faceted chart 0 pixels wide in the browser
    base = (
        alt.Chart(DATA.assign(g=["a", "b"]))
        .mark_bar()
        .encode(x="day:T", y="n:Q", tooltip=[alt.Tooltip("source:N", title="Source")])
        .properties(width=150)
    )
    faceted = base.facet(facet="g:N", columns=2).properties(description="Two panels.")
    html = charts.render_html(faceted.to_dict())
    assert '"autosize":{"type":"pad"}' in html
    single = charts.render_html(good_chart().to_dict())
    assert '"autosize":{"type":"pad"}' not in single


def test_pages_are_repaired_for_assistive_technology():
    from nkbook.publish.sphinx_ext import accessible, repair

    toggle = (
        '<a class="reference internal" href="claims.html">Claims and verdicts</a><details><summary>'
        '<span class="toctree-toggle" role="presentation"><i class="fa-solid fa-chevron-down"></i></span></summary>'
    )
    assert accessible(toggle) == toggle.replace("<summary>", '<summary aria-label="Pages under Claims and verdicts">')
    current = toggle.replace("<details>", '<details open="open">').replace(
        '"reference internal"', '"current reference internal"'
    )
    assert 'aria-label="Pages under Claims and verdicts"' in accessible(current)
    refs = '<div role="list" class="citation-list">\n<div class="citation" id="id76" role="doc-biblioentry">\n'
    assert accessible(refs) == refs.replace('role="doc-biblioentry"', 'role="listitem"')
    assert accessible(accessible(toggle + refs)) == accessible(toggle + refs)  # idempotent
    other = '<div class="citation" id="x" role="doc-biblioentry">'  # not inside a role="list": left alone
    assert accessible(other) == other
    css = '<link rel="stylesheet" type="text/css" href="../_static/mystnb.' + "ab" * 32 + ".css"
    assert repair(css + '?v=8cd3d715" />') == repair(css + '" />') == css + '" />'
    assert repair(toggle) == accessible(toggle)


def contrast(colour: str, background: str = "#ffffff") -> float:
    """WCAG 2.1 contrast ratio of two sRGB colours."""

    def luminance(hex_colour):
        channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    hi, lo = sorted((luminance(colour), luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_function():
    assert round(contrast("#000000"), 1) == 21.0 and round(contrast("#ffffff"), 1) == 1.0
    assert round(contrast("#F0E442"), 2) == 1.32  # Okabe-Ito yellow: too light for a mark
    assert round(contrast("#767676"), 2) == 4.54


def test_palette_and_estimator_colours_stand_out_from_the_page():
    from nkbook.analysis.estimates import AGENCY_GROUPS, ESTIMATOR_COLOURS, ESTIMATOR_GROUPS

    for colour in [*charts.PALETTE, *ESTIMATOR_COLOURS.values()]:
        assert contrast(colour) >= 3, colour
    assert "#F0E442" not in charts.PALETTE
    assert len(set(ESTIMATOR_COLOURS.values())) == len(ESTIMATOR_COLOURS)  # one colour per state or body
    assert set(ESTIMATOR_GROUPS.values()) | set(AGENCY_GROUPS.values()) <= set(ESTIMATOR_COLOURS)


def _book_specs():
    """Every chart spec stored in the chapters' outputs, with its chapter."""
    import os

    import nbformat

    book = Path(os.environ.get("NKBOOK_TEST_BOOK", Path(__file__).resolve().parents[1] / "book"))
    for path in sorted(book.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []):
                html = output.get("data", {}).get("text/html", "")
                for payload in re.findall(r'class="nkb-chart-spec">(.*?)</script>', html, re.S):
                    yield path.name, json.loads(payload)
                # release 1.0.0 drew each chart with an inline script (NKBOOK_TEST_BOOK: its chapters)
                for payload in re.findall(r"\(function\(\)\{var spec=(.*?);function draw\(\)", html, re.S):
                    yield path.name, json.loads(payload.replace("<\\/", "</"))


def _colour_scales(spec):
    for unit, _ in charts._datasets_of(spec):
        mark = unit["mark"] if isinstance(unit["mark"], dict) else {"type": unit["mark"]}
        for channel in ("color", "fill"):
            definition = unit.get("encoding", {}).get(channel)
            if isinstance(definition, dict) and isinstance(definition.get("scale", {}).get("range"), list):
                yield mark, definition["scale"]


def test_every_chart_of_the_book_gives_an_estimator_the_same_colour():
    from nkbook.analysis.estimates import ESTIMATOR_COLOURS

    specs = list(_book_specs())
    assert len(specs) == 28  # 27 in the chapters (three of them maps), and the findings chart of the first page
    seen = {}
    for chapter, spec in specs:
        for _, scale in _colour_scales(spec):
            for name, colour in zip(scale.get("domain", []), scale["range"]):
                if name in ESTIMATOR_COLOURS:
                    seen.setdefault(name, set()).add((colour, chapter))
    colours = {name: {c for c, _ in found} for name, found in seen.items()}
    assert colours == {name: {ESTIMATOR_COLOURS[name]} for name in seen}
    assert {"South Korea", "United States", "Ukraine", "Russia", "North Korea", "China"} <= set(seen)
    assert {ch for found in seen.values() for _, ch in found} >= {
        "troops.ipynb",
        "munitions.ipynb",
        "flows.ipynb",
        "bloc.ipynb",
    }


def test_every_mark_of_the_book_stands_out_from_the_page():
    """Each colour a chart uses has 3:1 contrast against white, or its marks a dark outline that has."""
    for chapter, spec in _book_specs():
        for colour in spec["config"]["range"]["category"]:
            assert contrast(colour) >= 3, (chapter, colour)
        for mark, scale in _colour_scales(spec):
            outlined = (
                contrast(mark.get("stroke", "#ffffff")) >= 3 if str(mark.get("stroke", "")).startswith("#") else False
            )
            for colour in scale["range"]:
                assert contrast(colour) >= 3 or outlined, (chapter, colour)


def test_preliminary_launches_are_outlined_not_faded():
    (spec,) = [s for ch, s in _book_specs() if "missile launches per year" in s.get("description", "")]
    enc = spec["encoding"]
    assert "opacity" not in enc
    assert enc["strokeDash"]["scale"]["domain"] == ["database", "preliminary (2025 on)"]
    assert enc["stroke"]["scale"]["range"] == ["#ffffff", "#000000"]


def test_lines_break_where_years_are_missing():
    for chapter, spec in _book_specs():
        for unit, name in charts._datasets_of(spec):
            mark = unit["mark"]["type"] if isinstance(unit["mark"], dict) else unit["mark"]
            if mark != "line":
                continue
            detail = unit["encoding"].get("detail", {})
            rows = spec["datasets"][name]
            key = detail.get("field")
            assert key, (chapter, "a line with no segment: it would join across a missing year")
            colour = unit["encoding"]["color"]["field"]  # one line per colour and segment
            for line in {(r[colour], r[key]) for r in rows}:
                years = sorted(r["year"] for r in rows if (r[colour], r[key]) == line)
                assert years == list(range(years[0], years[-1] + 1)), (chapter, line, years)


def test_legend_selection_is_defined_on_the_layer_that_draws_the_legend():
    selecting = [(ch, s) for ch, s in _book_specs() if any(p.get("bind") == "legend" for p in s.get("params", []))]
    assert {ch for ch, _ in selecting} == {"troops.ipynb", "munitions.ipynb"}
    for chapter, spec in selecting:
        (param,) = spec["params"]
        assert param["views"] == [spec["layer"][0]["name"]], chapter


def test_upright_category_labels_turn_on_a_phone():
    grid = (
        alt.Chart(DATA.assign(res=["ES-11/1", "ES-11/2"]))
        .mark_rect()
        .encode(
            x=alt.X("res:N", axis=alt.Axis(labelAngle=0)), y="n:O", tooltip=[alt.Tooltip("source:N", title="Source")]
        )
        .properties(width="container", description="d")
        .to_dict()
    )
    assert charts.adapt(grid, 350)["encoding"]["x"]["axis"]["labelAngle"] == 270
    assert charts.adapt(grid, 740)["encoding"]["x"]["axis"]["labelAngle"] == 0
