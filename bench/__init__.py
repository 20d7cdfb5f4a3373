"""Benchmarks (``make bench``): not tests; they print figures to compare, on a database of their own."""
