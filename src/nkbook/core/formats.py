"""How numbers and dates are written in the book's prose and pages."""

from __future__ import annotations

import pandas as pd


def day(value) -> str:
    """``30 March 2018``: the form dates take in the book's prose."""
    ts = pd.Timestamp(value)
    return f"{ts.day} {ts.strftime('%B %Y')}"


def number(value, decimals: int = 0) -> str:
    """``1,234``: thousands separated by commas."""
    return f"{value:,.{decimals}f}"
