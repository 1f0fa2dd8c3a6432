"""The chart renderer: deterministic output, the book's rules enforced, the bundle usable offline."""
from __future__ import annotations

import re

import altair as alt
import pandas as pd
import pytest

from nkbook import charts

DATA = pd.DataFrame({"day": ["2024-01-01", "2024-02-01"], "n": [3, 5], "source": ["S (2024)", "S (2024)"]})


def good_chart():
    return alt.Chart(DATA).mark_bar().encode(
        x="day:T", y="n:Q",
        tooltip=[alt.Tooltip("day:T"), alt.Tooltip("n:Q"), alt.Tooltip("source:N", title="Source")],
    ).properties(width="container", title="Test", description="Two bars, 3 and 5.")


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
    assert '<div class="nkb-chart-view" role="img" aria-label="Two bars, 3 and 5."></div>' in html
    assert "<svg" not in html
    assert '<figcaption class="nkb-caption">Caption <code>x</code></figcaption>' in html
    assert ('<details class="nkb-chart-data"><summary>Data behind this chart</summary>'
            '<div class="nkb-table-scroll" role="region" tabindex="0" aria-label="Data behind the chart: Test">'
            '<table class="nkb-data-table">'
            '<thead><tr><th scope="col">day</th><th scope="col">n</th><th scope="col">Source</th></tr></thead>'
            "<tbody><tr><td>2024-01-01</td><td>3</td><td>S (2024)</td></tr><tr><td>2024-02-01</td><td>5</td><td>S (2024)</td></tr>"
            "</tbody></table></div></details></figure>") in html
    assert 'svg.setAttribute("aria-hidden","true")' in html  # the drawn chart is named by its view, not by its marks
    assert "vegaEmbed" in html and "cdn" not in html.lower()


def test_spec_carries_only_the_columns_the_chart_uses():
    wide = DATA.assign(note="an unused note", kind=["a", "b"])
    chart = alt.Chart(wide).mark_bar().encode(x="day:T", y="n:Q", tooltip=["n:Q", alt.Tooltip("source:N", title="Source")]
                                              ).transform_filter("datum.kind === 'a'").properties(description="d")
    spec = charts.trimmed(chart.to_dict())
    (rows,) = spec["datasets"].values()
    assert rows == [{"day": "2024-01-01", "n": 3, "source": "S (2024)", "kind": "a"},
                    {"day": "2024-02-01", "n": 5, "source": "S (2024)", "kind": "b"}]  # kind is read by the filter
    assert "an unused note" not in charts.render_html(chart.to_dict())


@pytest.mark.parametrize("value, item, shown", [
    (1234.5678, {}, "1,234.568"), (1500000, {}, "1,500,000"), (0.8912, {"format": ".2f"}, "0.89"),
    (41.6, {"format": "d"}, "42"), (0.25, {"format": ".0%"}, "25%"), (12000.0, {"format": ","}, "12,000"),
    ("2024-11-05T00:00:00", {"type": "temporal", "format": "%d %b %Y"}, "05 Nov 2024"),
    ("2024-11-05T00:00:00", {"type": "temporal"}, "2024-11-05"), ("", {"type": "temporal"}, ""), (None, {}, ""), (float("nan"), {}, ""), ("yes", {}, "yes"),
])
def test_table_cells_are_formatted_as_the_tooltips_show_them(value, item, shown):
    assert charts._cell(value, item) == shown


def test_layered_chart_gets_a_table_per_dataset_and_none_twice():
    marks = pd.DataFrame({"year": [2022], "label": ["invasion"], "source": ["S"]})
    base = alt.Chart(DATA).mark_line().encode(x="day:T", y="n:Q", tooltip=["n:Q", alt.Tooltip("source:N", title="Source")])
    rule = alt.Chart(marks).mark_rule().encode(x="year:O", tooltip=["label:N", alt.Tooltip("source:N", title="Source")])
    html = charts.render_html((base + base.mark_point() + rule).properties(description="d").to_dict())
    assert html.count('<table class="nkb-data-table">') == 2
    assert "<td>invasion</td><td>S</td>" in html


def test_script_cannot_be_closed_early_by_data():
    df = DATA.assign(source="</script><b>x")
    chart = alt.Chart(df).mark_bar().encode(x="day:T", y="n:Q", tooltip=["n:Q", "source:N"]).properties(description="d")
    html = charts.render_html(chart.to_dict())
    assert html.count("</script>") == 1


def test_bare_chart_uses_the_renderer_and_theme():
    assert alt.renderers.active == "nkbook" and alt.theme.active == "nkbook"
    bundle = good_chart()._repr_mimebundle_()
    html = bundle[0]["text/html"] if isinstance(bundle, tuple) else bundle["text/html"]
    assert html.startswith('<figure class="nkb-chart"')
    assert charts.PALETTE[0] in html  # Okabe-Ito blue from the theme


@pytest.mark.parametrize("change, message", [
    (lambda c: c.properties(description=""), "no alt text"),
    (lambda c: alt.Chart(DATA).mark_bar().encode(x="day:T", y="n:Q").properties(description="d"), "no tooltip"),
    (lambda c: alt.Chart(DATA).mark_bar().encode(x="day:T", y="n:Q", tooltip=["n:Q"]).properties(description="d"),
     "names no source"),
    (lambda c: (c + alt.Chart(DATA).mark_rule().encode(y="n:Q")).properties(description="d"), "rule mark has no tooltip"),
])
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
    from nkbook import claim_pages, claims, plots

    register = claims.register()
    tidy = pd.concat([claims.counts(register, "label", w) for w in claims.WHEN], ignore_index=True).assign(source="essays")
    chart = plots.verdict_bars(tidy, category="label", category_title="Essay", title="t", subtitle="s", description="d",
                               verdicts=claims.VERDICTS, colours=claim_pages.VERDICT_COLOURS,
                               when_labels={"publication": "then", "cutoff": "now"})
    spec = chart.to_dict()
    charts.check_rules(spec)
    assert spec["encoding"]["y"]["sort"] == ["A · then", "A · now", "B · then", "B · now", "C · then", "C · now"]
    assert spec["encoding"]["color"]["scale"]["domain"] == list(claims.VERDICTS)
    assert spec["encoding"]["color"]["scale"]["range"][2] == "#D55E00"  # Contradicted
    data = pd.DataFrame(spec["datasets"][spec["data"]["name"]])
    assert data.loc[(data["bar"] == "B · now") & (data["verdict"] == "Contradicted"), "claims"].sum() == 4


def test_composed_charts_keep_their_width_instead_of_fitting_the_container():
    # the theme's autosize "fit-x" draws a faceted chart 0 pixels wide in the browser
    base = alt.Chart(DATA.assign(g=["a", "b"])).mark_bar().encode(
        x="day:T", y="n:Q", tooltip=[alt.Tooltip("source:N", title="Source")]).properties(width=150)
    faceted = base.facet(facet="g:N", columns=2).properties(description="Two panels.")
    html = charts.render_html(faceted.to_dict())
    assert '"autosize":{"type":"pad"}' in html
    single = charts.render_html(good_chart().to_dict())
    assert '"autosize":{"type":"pad"}' not in single


def test_pages_are_repaired_for_assistive_technology():
    from nkbook.sphinx_ext import accessible, repair

    toggle = ('<a class="reference internal" href="claims.html">Claims and verdicts</a><details><summary>'
              '<span class="toctree-toggle" role="presentation"><i class="fa-solid fa-chevron-down"></i></span></summary>')
    assert accessible(toggle) == toggle.replace("<summary>", '<summary aria-label="Pages under Claims and verdicts">')
    current = toggle.replace("<details>", '<details open="open">').replace('"reference internal"', '"current reference internal"')
    assert 'aria-label="Pages under Claims and verdicts"' in accessible(current)
    refs = '<div role="list" class="citation-list">\n<div class="citation" id="id76" role="doc-biblioentry">\n'
    assert accessible(refs) == refs.replace('role="doc-biblioentry"', 'role="listitem"')
    assert accessible(accessible(toggle + refs)) == accessible(toggle + refs)  # idempotent
    other = '<div class="citation" id="x" role="doc-biblioentry">'  # not inside a role="list": left alone
    assert accessible(other) == other
    css = '<link rel="stylesheet" type="text/css" href="../_static/mystnb.' + "ab" * 32 + '.css'
    assert repair(css + '?v=8cd3d715" />') == repair(css + '" />') == css + '" />'
    assert repair(toggle) == accessible(toggle)
