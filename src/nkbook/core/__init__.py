"""The bottom layer: where the project's files are, the one error type, writing files safely,
how numbers and dates are written, and the trace of tables read. Imports nothing of ``nkbook``."""
