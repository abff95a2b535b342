"""Shared scenarios: a province of Son La with hand-checkable cells (used by several tests)."""

from __future__ import annotations

from datetime import date

from chibo_reporting.read_models.tree import Span, Tree, Unit

from .support import Roll, World

PROVINCE, DISTRICT, COMMUNE, CELL = "son-la", "quynh-nhai", "muong-giang", "bi-ban"
MEMBERS = [f"bb-{n:02d}" for n in range(1, 13)]  # twelve members
EXEMPTED = MEMBERS[-1]  # bb-12, elderly, released from activities since 2023


def bi_ban_tree(world: World) -> None:
    """Son La → Quỳnh Nhai district → Mường Giàng commune → Bi Ban cell of 12 members."""
    world.unit(PROVINCE, "provincial_committee", None, name="Tỉnh ủy Sơn La")
    world.unit(DISTRICT, "district_committee", PROVINCE, name="Huyện ủy Quỳnh Nhai")
    world.unit(COMMUNE, "commune_committee", DISTRICT, name="Đảng ủy xã Mường Giàng")
    world.unit(CELL, "cell", COMMUNE, name="Chi bộ bản Bi Ban")
    for member in MEMBERS:
        world.member(member, CELL)
    world.exempt(EXEMPTED, date(2023, 1, 1))


def bi_ban_roll(**statuses: str) -> Roll:
    """The roll of Bi Ban: 11 required (bb-12 exempted), present unless stated."""
    return Roll(required=MEMBERS[:-1], statuses=statuses, exempted=[EXEMPTED])


NA_NGHE = "na-nghe"  # a second cell of Mường Giàng, four members
NA_NGHE_MEMBERS = [f"nn-{n}" for n in range(1, 5)]


def na_nghe_roll(**statuses: str) -> Roll:
    """The roll of Nà Nghè: its four members, present unless stated."""
    return Roll(required=list(NA_NGHE_MEMBERS), statuses=statuses)


def two_cells(world: World, year: int, months: range) -> None:
    """Bi Ban and Nà Nghè, meeting in each of `months` of `year`: Bi Ban on the 3rd (its
    prescribed day by default), Nà Nghè on the 5th, everyone present."""
    bi_ban_tree(world)
    world.unit(NA_NGHE, "cell", COMMUNE, name="Chi bộ bản Nà Nghè")
    for member in NA_NGHE_MEMBERS:
        world.member(member, NA_NGHE)
    for month in months:
        world.meeting(f"bb-{month}", CELL, date(year, month, 3), roll=bi_ban_roll())
        world.meeting(f"nn-{month}", NA_NGHE, date(year, month, 5), roll=na_nghe_roll())
    world.publish()


def moved_and_merged_tree() -> Tree:
    """A tree built by hand whose ancestries change on days of their own: commune c1 (cell y)
    moves from district d1 to d2 on 1 Jul 2025; commune c2 (cell x, under d1) is merged into
    c3 (under d2) on 15 Sep 2025."""
    start = date(2020, 1, 1)

    def unit(unit_id: str, kind: str, ended_on: date | None = None,
             into: str | None = None) -> Unit:
        return Unit(unit_id, kind, None, start, ended_on, "merged" if into else None, into)

    def span(unit_id: str, first: date, parent: str | None) -> tuple[str, Span]:
        return unit_id, Span(first, None, parent, unit_id)

    return Tree(
        [unit("p", "provincial_committee"), unit("d1", "district_committee"),
         unit("d2", "district_committee"), unit("c1", "commune_committee"),
         unit("c2", "commune_committee", date(2025, 9, 15), "c3"),
         unit("c3", "commune_committee"), unit("x", "cell"), unit("y", "cell")],
        [span("p", start, None), span("d1", start, "p"), span("d2", start, "p"),
         span("c1", start, "d1"), span("c1", date(2025, 7, 1), "d2"), span("c2", start, "d1"),
         span("c3", start, "d2"), span("x", start, "c2"), span("y", start, "c1")],
    )
