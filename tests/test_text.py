import pandas as pd

from nkbook.core.formats import day, number
from nkbook.present.glue import show_table


def test_day_and_number():
    assert day("2018-03-30") == "30 March 2018"
    assert day(pd.Timestamp("2024-10-06")) == "6 October 2024"
    assert number(1234567) == "1,234,567"
    assert number(0.5, 1) == "0.5"


def test_show_table_is_plain_html_without_index():
    html = show_table(pd.DataFrame({"a": [1, None]})).data
    assert "<th>a</th>" in html and "–" in html and "T_" not in html and "<th></th>" not in html
