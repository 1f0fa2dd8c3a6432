"""The publish layer: the build driver, the chapters' executor, the Sphinx extension, the PDF
edition and the reproducibility check. The top layer: nothing in ``nkbook`` imports it."""
