"""Benchmarks: answer quality and speed against baselines. Run ``python -m benchmarks``."""
