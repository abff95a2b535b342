"""A synthetic Vietnamese province for Chibo: a plan, its ground truth, and ways to load it.

`generate(Config(...))` gives a deterministic plan (bench.province.plan); `truth.expected`
computes the reports it must produce, independently of the reporting service; `driver` writes
the plan through the services' HTTP APIs and `events` straight into their event stores.
"""
