"""The expected result and figures of every cell rule (DOMAIN.md §7) for one cell and period.

Interpretations (where DOMAIN.md leaves a choice):
- A window (month, quarter) is judged only if the cell existed on all of its days; a month
  report judges the quarter that ends in it; CR-04 is pro rata (rounded down: the whole
  shares of the year gone by; not applicable while none is) over the whole months the cell
  existed from 1 January to the period's end.
- A combined session counts as a regular meeting, and as a thematic one when it has two parts:
  it has two when it has a topic.
- Documents, notices and the after-meeting documents are dated by their earliest posting, in
  Vietnam time; "N days before" is N calendar days before the meeting day.
- The required base is the roll as recorded minus members exempted on record that day; an
  exempted member who came is counted apart (CR-17). CR-12 judges Σ present ÷ Σ required.
- CR-14 and CR-15 are year to date across every cell the member attended; a member is flagged
  in the cell of the last absence of the longest excused run (CR-14) or of the latest
  unexcused absence (CR-15).
- A meeting's score is the confirmed total, else the cell's own; grades on the bands.
- CR-20 takes, for each meeting of the period, the cell's latest earlier meeting whose
  resolution set tasks (RULES.md: even if every task was later dropped), with each task's
  latest reported status; dropped tasks leave the base.
- CR-25 is pro rata to date: ceil(quota * days in charge / days in the year) counted visits.
"""

from __future__ import annotations

from datetime import date

from bench.province.truth.attendance import Attendance
from bench.province.truth.cadence import Cadence
from bench.province.truth.facts import Facts
from bench.province.truth.oversight import Oversight
from bench.province.truth.periods import Period, Rulebooks
from bench.province.truth.quality import Quality
from bench.province.truth.results import Expected


class CellScope(Cadence, Attendance, Quality, Oversight):
    """Every rule family over one cell and period."""


class CellTruth:
    def __init__(self, facts: Facts, today: date) -> None:
        self.facts = facts
        self.plan = facts.plan
        self.books = Rulebooks(facts.plan)
        self.today = today

    def evaluate(self, cell_id: str, period: Period, *,
                 current: bool = False) -> dict[str, Expected]:
        """`current`: judge all history under today's rulebook (`rules=current`)."""
        scope = CellScope(self, cell_id, period, current)
        results = {
            "CR-01": scope.windows(period.months(), thematic=False),
            "CR-02": scope.cr02(),
            "CR-03": scope.windows(period.quarters_ending_within(), thematic=True),
            "CR-04": scope.cr04(),
            "CR-05": scope.each([m for m in scope.meetings if m.kind == "combined"], scope.cr05),
            "CR-06": scope.each([m for m in scope.meetings if m.regular], scope.cr06),
            "CR-07": scope.each(scope.meetings, scope.cr07),
            "CR-08": scope.each(scope.meetings, scope.cr08),
            "CR-10": scope.each(scope.meetings, scope.cr10),
            "CR-11": scope.cr11(),
            "CR-12": scope.cr12(),
            "CR-13": scope.cr13(),
            "CR-14": scope.cr14(),
            "CR-15": scope.cr15(),
            "CR-17": scope.cr17(),
            "CR-18": scope.cr18(),
            "CR-19": scope.cr19(),
            "CR-20": scope.cr20(),
            "CR-21": scope.cr21(),
            "CR-24": scope.cr24(),
            "CR-25": scope.cr25(),
        }
        results["CR-27"] = scope.cr27(results)
        return results
