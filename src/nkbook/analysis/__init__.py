"""The analysis layer: what the book computes from the tables (estimates, UN voting, the claims
register and its verdict rules, the findings). Imports :mod:`nkbook.data` and :mod:`nkbook.core`;
no notebook, chart or page machinery."""
