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


def test_static_svg_fallback_with_alt_text():
    html = charts.figure(good_chart(), caption="Caption <code>x</code>")._repr_mimebundle_()["text/html"]
    fallback = html.split('<div class="nkb-chart-fallback">')[1]
    assert fallback.startswith('<svg role="img" aria-label="Two bars, 3 and 5."')
    assert 'width="640"' in fallback  # "container" width replaced for the static rendering
    assert '<figcaption class="nkb-caption">Caption <code>x</code></figcaption>' in html
    assert "vegaEmbed" in html and "cdn" not in html.lower()


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
