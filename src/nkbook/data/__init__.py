"""The data layer: the data package (load and validate every table), the sources of
``book/references.bib``, country codes, and the essays' texts. Imports only :mod:`nkbook.core`.

``from nkbook.data import load`` is how every chapter and module reads a table.
"""

from nkbook.data.package import load, package, resource, resource_names, validate

__all__ = ["load", "package", "resource", "resource_names", "validate"]
