"""The publish layer: the build driver (`build`), the chapters' parallel execution into Jupyter
Book's cache (`parallel`), `make notebooks` (`execute`), the Sphinx extension, the PDF edition and
the reproducibility check. The top layer: nothing in ``nkbook`` imports it."""
