"""Benchmarks: `make bench` runs `python -m bench.run` and writes JSON to bench/results/."""
