"""A synthetic Vietnamese province for Chibo: a plan, its ground truth, and ways to load it.

- `generator.generate(Config(...))`: a deterministic plan (`plan`): the tree and its July 2025
  restructuring, the member roll, every cell's meetings, overseers, visits, review cases;
- `truth.expected(plan)`: every report the reporting service must give for it, computed here
  from the plan alone (DOMAIN.md and services/reporting/RULES.md);
- `driver.Driver`: writes the plan through the four HTTP APIs, in this process
  (`driver.InProcess`) or into a running `chibo run` (`driver.Remote`, `python -m
  bench.province`); `events`: the same plan as contract events, for loading at scale;
- `compare.check_all`: asks for every report and lists what differs from the truth.
"""
