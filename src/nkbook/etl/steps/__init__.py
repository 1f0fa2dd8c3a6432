"""One builder per derived table (or pair of tables), each reading the snapshots of ``../shared``
it declares in :mod:`nkbook.etl.registry`."""
