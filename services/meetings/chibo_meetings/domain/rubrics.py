"""Quality rubrics as data: criteria with maximum points and the grade bands of the total.

The catalogue holds a default 100-point sheet for regular and one for thematic meetings (after
the shape of Nghe An's Regulation 27-QĐ/TU); a province's own sheets are added as more entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from chibo_meetings.domain.errors import InvalidMeetingError

POINT_PRECISION = 2
TOLERANCE = 10.0 ** -(POINT_PRECISION + 2)


@dataclass(frozen=True)
class Criterion:
    key: str
    title: str
    max_points: float


@dataclass(frozen=True)
class Band:
    """A grade given to every total at or above `min_total` (bands are checked top down)."""

    grade: str
    min_total: float


DEFAULT_BANDS = (Band("good", 90), Band("fair", 70), Band("average", 50), Band("weak", 0))


@dataclass(frozen=True)
class Rubric:
    id: str
    title: str
    kinds: frozenset[str]
    criteria: tuple[Criterion, ...]
    bands: tuple[Band, ...] = DEFAULT_BANDS

    @property
    def max_total(self) -> float:
        return float(sum(c.max_points for c in self.criteria))

    def grade_for(self, total: float) -> str:
        for band in self.bands:
            if total >= band.min_total:
                return band.grade
        return self.bands[-1].grade

    def check_scores(self, scores: Mapping[str, float], total: float, grade: str) -> None:
        """Raise naming the fields unless every score fits, they add up and the grade matches."""
        errors: dict[str, list[str]] = {}
        limits = {c.key: c.max_points for c in self.criteria}
        for key in sorted(set(limits) - set(scores)):
            errors.setdefault("scores", []).append(f"{key}: missing (rubric {self.id})")
        for key in sorted(set(scores) - set(limits)):
            errors.setdefault("scores", []).append(f"{key}: not a criterion of rubric {self.id}")
        for key, points in sorted(scores.items()):
            if key in limits and not (_is_points(points) and points <= limits[key]):
                errors.setdefault("scores", []).append(
                    f"{key}: {points} is not between 0 and {limits[key]} in steps of 0.01"
                )
        if not _same(sum(scores.values()), total):
            errors["total"] = [f"{total} is not the sum of the scores ({sum(scores.values()):g})"]
        if not errors:
            self.check_total(total, grade)
        if errors:
            detail = "; ".join(f"{k}: {m}" for k, messages in errors.items() for m in messages)
            summary = f"the assessment does not fit rubric {self.id}: {detail}"
            raise InvalidMeetingError(summary, errors)

    def check_total(self, total: float, grade: str) -> None:
        """Raise unless `total` is within the rubric and `grade` is its band."""
        if not (_is_points(total) and total <= self.max_total):
            raise InvalidMeetingError.on("total", f"must be between 0 and {self.max_total:g}")
        expected = self.grade_for(total)
        if grade != expected:
            raise InvalidMeetingError.on(
                "grade", f"a total of {total:g} is graded {expected!r} on rubric {self.id}"
            )


def _is_points(value: float) -> bool:
    return value >= 0 and _same(round(value, POINT_PRECISION), value)


def _same(a: float, b: float) -> bool:
    return abs(a - b) < TOLERANCE


REGULAR = Rubric(
    id="default-regular",
    title="Regular meeting quality (100 points)",
    kinds=frozenset({"regular", "combined"}),
    criteria=(
        Criterion("preparation", "Agenda, documents and notices prepared ahead", 15),
        Criterion("attendance", "Attendance and punctuality of members", 15),
        Criterion("procedure", "Order of business, chairing, minutes, duration", 15),
        Criterion("content", "Review of the month's work and the next month's tasks", 25),
        Criterion("discussion", "Democracy, criticism and self-criticism in discussion", 15),
        Criterion("resolution", "Clear resolution; follow-through of the previous one", 15),
    ),
)
THEMATIC = Rubric(
    id="default-thematic",
    title="Thematic meeting quality (100 points)",
    kinds=frozenset({"thematic", "combined"}),
    criteria=(
        Criterion("topic", "Topic chosen ahead, concrete and relevant", 15),
        Criterion("preparation", "Topic paper and documents prepared and sent ahead", 15),
        Criterion("attendance", "Attendance and punctuality of members", 10),
        Criterion("presentation", "Presentation of the topic", 20),
        Criterion("discussion", "Depth of discussion and members' contributions", 20),
        Criterion("conclusion", "Conclusion with concrete tasks, owners and dates", 20),
    ),
)
RUBRICS: Mapping[str, Rubric] = {r.id: r for r in (REGULAR, THEMATIC)}
DEFAULT_RUBRIC_FOR_KIND = {"regular": REGULAR.id, "thematic": THEMATIC.id, "combined": REGULAR.id}


def rubric_for(rubric_id: str | None, kind: str) -> Rubric:
    """The rubric named (or the default for the meeting kind); it must apply to the kind."""
    chosen = RUBRICS.get(rubric_id or DEFAULT_RUBRIC_FOR_KIND[kind])
    if chosen is None:
        raise InvalidMeetingError.on(
            "rubric", f"unknown rubric {rubric_id!r}; known: {', '.join(sorted(RUBRICS))}"
        )
    if kind not in chosen.kinds:
        raise InvalidMeetingError.on("rubric", f"rubric {chosen.id} is not for {kind} meetings")
    return chosen
