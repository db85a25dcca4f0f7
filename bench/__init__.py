"""The knowledge benchmark: a synthetic portfolio of any size, and sync and answer timings on it.

`bench.synthetic` generates a portfolio shaped like `knowledge/data/demo.json` (deterministic
for a seed, Norwegian hospital-ICT names); `bench.knowledge_bench` loads it into SQLite and
measures sync time, memory and answer latency per size (`python -m bench.knowledge_bench`).
"""
