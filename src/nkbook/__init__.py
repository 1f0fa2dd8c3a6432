"""Shared code of the book *North Korea and Russia's war: the essays against the data*.

The notebooks import from here so that loading, validating, charting and citing work the
same way in every chapter. The version below is the single source of truth for the
package, the book (shown on every page) and ``CITATION.cff`` (checked by a test).
"""

__version__ = "1.1.0"
