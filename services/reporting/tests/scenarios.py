"""Shared scenarios: a province of Son La with hand-checkable cells (used by several tests)."""

from __future__ import annotations

from datetime import date

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
