"""Builds each cell's facts for a period and runs the rules over them (one cell or thousands)."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from chibo_reporting.facts import Assignment, CellPeriod, MeetingFact, RulebookAt
from chibo_reporting.periods import Period, Window
from chibo_reporting.queries.loading import Loader, by_cell
from chibo_reporting.read_models.tree import Stretches, Tree
from chibo_reporting.rulebooks import Rulebook, RulebookIndex
from chibo_reporting.rules import evaluate
from chibo_reporting.rules.results import RuleResult

AT_TIME, CURRENT = "at_time", "current"


@dataclass
class Context:
    """One report's view: period, today, rule mode, the tree and the rulebooks, and which
    rulebooks the report ended up using."""

    period: Period
    today: date
    mode: str
    tree: Tree
    index: RulebookIndex
    used: dict[tuple[str, int], Rulebook] = field(default_factory=dict)
    used_by: dict[str, set[tuple[str, int]]] = field(default_factory=dict)  # per unit judged
    _memo: dict[tuple[str, int], Rulebook] = field(default_factory=dict)
    _change_days: list[date] = field(init=False)

    def __post_init__(self) -> None:
        self._change_days = sorted({*self.tree.change_days, *self.index.change_days})

    @property
    def judged_on(self) -> date:
        return min(self.period.end, self.today)

    def rulebook_for(self, unit_id: str, day: date) -> Rulebook:
        """The most specific rulebook above `unit_id` in force on `day` (tree as of that day).
        Only on the tree's or the rulebooks' change days can it differ from the day before, so
        it is found once per unit and stretch between two of them (a cell's meetings fall on
        dozens of days, the change days are few)."""
        key = (unit_id, bisect.bisect_right(self._change_days, day))
        if key not in self._memo:
            self._memo[key] = self.index.for_unit(self.tree.ancestry, unit_id, day)
        return self._memo[key]

    def applying(self, unit_id: str) -> RulebookAt:
        """The rulebook for each day: at that time, or today's for all history."""
        chosen: dict[date, Rulebook] = {}

        def at(day: date) -> Rulebook:
            if day not in chosen:
                found = self.rulebook_for(unit_id, self.today if self.mode == CURRENT else day)
                key = (found.rulebook_id, found.version)
                self.used[key] = found
                self.used_by.setdefault(unit_id, set()).add(key)
                chosen[day] = found
            return chosen[day]

        return at

    def stated(self, unit_id: str) -> Rulebook:
        """The rulebook a report names: the one applying on the day it is judged."""
        return self.applying(unit_id)(self.judged_on)

    def used_refs(self) -> list[dict[str, object]]:
        return [r.ref for _, r in sorted(self.used.items())]


@dataclass(frozen=True)
class Evaluation:
    cell: CellPeriod
    results: Mapping[str, RuleResult]


def stretches(tree: Tree, cells: Iterable[str], window: Window) -> dict[str, Stretches]:
    """Per cell, the days of `window` it existed on, in stretches of one ancestry."""
    found = {}
    for cell in cells:
        found[cell] = tuple(stretch for span in tree.active_spans(cell)
                            for stretch in tree.ancestries(cell, Window(
                                max(span.start, window.start), min(span.end, window.end),
                                window.label)))
    return found


def above(of: Mapping[str, Stretches]) -> set[str]:
    """The units that were a cell of `of`, or above one, on some day of its stretches."""
    return {unit for chains in of.values() for _, chain in chains for unit in chain}


def covering(of: Mapping[str, Stretches],
             assignments: list[Assignment]) -> dict[str, list[Assignment]]:
    """The assignments in charge of each cell, cut to the days they were: those on the cell, or
    on a unit above it on the day (a cell moved mid-year is in the charge of the overseers of
    its old place until the move, of its new place after)."""
    by_unit: defaultdict[str, list[Assignment]] = defaultdict(list)
    for assignment in assignments:
        by_unit[assignment.unit_id].append(assignment)
    found: dict[str, list[Assignment]] = {}
    for cell, chains in of.items():
        pieces: dict[str, list[Assignment]] = {}  # by assignment, days in charge joined up
        for window, chain in chains:
            for unit in chain:
                for assignment in by_unit.get(unit, ()):
                    piece = assignment.cut(window)
                    if piece is None:
                        continue
                    held = pieces.setdefault(assignment.assignment_id, [])
                    if held and held[-1].last_day == piece.start - timedelta(days=1):
                        held[-1] = replace(held[-1], last_day=piece.last_day)
                    else:
                        held.append(piece)
        found[cell] = [piece for held in pieces.values() for piece in held]
    return found


def most_of(units: Collection[str], total: int) -> bool:
    """Whether `units` are at least half of the tree's `total` (of cells, or of all units):
    then one scan beats `IN (…)` lists."""
    return len(units) * 2 >= total > 0


def evaluate_cells(loader: Loader, context: Context, cells: list[str], *,
                   everything: bool = False, with_evidence: bool = True) -> dict[str, Evaluation]:
    """Every rule for every cell; `everything` says `cells` is most of the tree (scan, not IN);
    roll-ups leave `with_evidence` off (a cell's own report gives the event ids)."""
    period = context.period
    first = date(period.year, 1, 1)
    scope = None if everything else cells
    meetings: defaultdict[str, list[MeetingFact]] = defaultdict(list)
    for meeting in loader.meetings(scope, first, period.end, with_evidence=with_evidence):
        meetings[meeting.cell_id].append(meeting)
    earlier: defaultdict[str, list[MeetingFact]] = defaultdict(list)
    for meeting in loader.earlier(scope, first):
        earlier[meeting.cell_id].append(meeting)
    visits = defaultdict(list)
    for visit in loader.visits(scope, first, period.end):
        visits[visit.cell_id].append(visit)
    reviews = defaultdict(list)
    for review in loader.reviews(scope, period.label):
        reviews[review.cell_id].append(review)
    absent = None if everything else loader.absent_members(cells, first, period.end)
    member_years = by_cell(loader.member_years(period.year, absent))
    charged = stretches(context.tree, cells, period.year_to_date())
    in_charge = covering(charged, loader.assignments(
        context.tree, None if everything else above(charged)))
    evaluations = {}
    for cell_id in cells:
        cell = CellPeriod(
            cell_id=cell_id, period=period, today=context.today,
            active=context.tree.active_spans(cell_id), meetings=tuple(meetings[cell_id]),
            rulebook=context.applying(cell_id), earlier=tuple(earlier[cell_id]),
            assignments=tuple(in_charge[cell_id]), visits=tuple(visits[cell_id]),
            reviews=tuple(reviews[cell_id]), member_years=tuple(member_years.get(cell_id, [])),
            with_evidence=with_evidence,
        )
        evaluations[cell_id] = Evaluation(cell, evaluate(cell))
    return evaluations
