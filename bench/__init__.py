"""Benchmarks of trajectflow, each figure measured beside its reference in the same run.

`python -m bench` (or `make bench`, `make bench QUICK=1`) prints one line per figure and writes
them all to bench/results/latest.json. See bench/README.md for what each figure means.
"""
