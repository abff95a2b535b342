"""Chibo oversight: overseers' assignments, their visits to cells, remind-and-review cases."""
