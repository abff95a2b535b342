"""The default 100-point rubrics (after Nghe An's Regulation 27-QĐ/TU): criteria and bands."""

from __future__ import annotations

REGULAR_CRITERIA = (("preparation", 15), ("attendance", 15), ("procedure", 15),
                    ("content", 25), ("discussion", 15), ("resolution", 15))
THEMATIC_CRITERIA = (("topic", 15), ("preparation", 15), ("attendance", 10),
                     ("presentation", 20), ("discussion", 20), ("conclusion", 20))
GRADE_BANDS = (("good", 90), ("fair", 70), ("average", 50), ("weak", 0))


def grade_for(total: float) -> str:
    return next(grade for grade, floor in GRADE_BANDS if total >= floor)



def spread(total: float, criteria: tuple[tuple[str, int], ...]) -> dict[str, float]:
    """Whole points per criterion, each within its maximum, adding up to `total` (≤ 100)."""
    scores = {key: float(int(total * maximum / 100)) for key, maximum in criteria}
    caps = dict(criteria)
    missing = int(total - sum(scores.values()))
    for key in (k for k, _ in sorted(criteria, key=lambda c: -c[1])):
        room = int(caps[key] - scores[key])
        step = min(room, missing)
        scores[key] += step
        missing -= step
    return scores
