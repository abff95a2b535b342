"""The organisation tree through the handlers, over the in-memory store."""

from __future__ import annotations

from datetime import date

import pytest

from chibo_contracts.members import UNIT_KINDS as CONTRACT_UNIT_KINDS
from chibo_eventsourcing.store import ConcurrencyError
from chibo_members import commands as c
from chibo_members.domain.errors import (
    ConflictError,
    CycleError,
    DateError,
    InactiveError,
    KindError,
    NotFoundError,
    StateError,
    UnknownReferenceError,
)
from chibo_members.domain.units import UNIT_KINDS, lineage

from .conftest import Roll

REFORM = date(2025, 7, 1)


def uid(code: str) -> str:
    return c.unit_id_for_code(code)


def test_domain_unit_kinds_are_the_contract_kinds():
    assert UNIT_KINDS == CONTRACT_UNIT_KINDS


def test_a_unit_lives_under_its_parent_from_its_creation(province: Roll):
    unit = province.unit("X1")
    assert unit.parents.at(date(2020, 1, 1)) == uid("D1")
    assert unit.status_on(date(2019, 12, 31)) == "not_yet_created"
    assert unit.status_on(date(2024, 12, 31)) == "active"


def test_an_unknown_parent_is_refused_and_nothing_is_stored(roll: Roll):
    with pytest.raises(UnknownReferenceError) as error:
        roll(c.CreateOrgUnit(uid("K"), "K", "Chi bộ K", "cell", uid("nowhere"), date(2020, 1, 1)))
    assert error.value.field == "parent_id"
    assert roll.event_count() == 0


def test_a_parent_must_exist_on_the_day(province: Roll):
    with pytest.raises(InactiveError, match="did not exist yet"):
        province(c.CreateOrgUnit(uid("K9"), "K9", "Chi bộ", "cell", uid("X1"), date(2019, 5, 1)))
    province(c.DissolveOrgUnit(uid("X2"), "sáp nhập", REFORM))
    with pytest.raises(InactiveError, match="dissolved"):
        province(c.CreateOrgUnit(uid("K9"), "K9", "Chi bộ", "cell", uid("X2"), REFORM))


@pytest.mark.parametrize(
    ("kind", "parent"),
    [
        ("party_group", "X1"),
        ("cell", None),
        ("district_committee", "X1"),
        ("commune_committee", "K1"),
    ],
)
def test_kinds_must_nest(province: Roll, kind: str, parent: str | None):
    before = province.event_count()
    with pytest.raises(KindError):
        province(
            c.CreateOrgUnit(
                uid("N"), "N", "Mới", kind, uid(parent) if parent else None, date(2022, 1, 1)
            )
        )
    assert province.event_count() == before


def test_a_party_group_sits_under_a_cell(province: Roll):
    province.add_unit("G1", "party_group", "K1", date(2022, 1, 1))
    assert province.unit("G1").parents.at(date(2022, 1, 1)) == uid("K1")


def test_unit_codes_are_unique(province: Roll):
    with pytest.raises(ConflictError, match="already used"):
        province(
            c.CreateOrgUnit(uid("other"), "K1", "Chi bộ khác", "cell", uid("X1"), date(2022, 1, 1))
        )


def test_repeating_a_creation_changes_nothing_but_other_data_conflicts(province: Roll):
    before = province.event_count()
    again = province(
        c.CreateOrgUnit(uid("K1"), "K1", "Đơn vị K1", "cell", uid("X1"), date(2020, 1, 1))
    )
    assert (again.stream_id, again.version) == (uid("K1"), 1)
    assert province.event_count() == before
    with pytest.raises(ConflictError):
        province(c.CreateOrgUnit(uid("K1"), "K1", "Tên khác", "cell", uid("X1"), date(2020, 1, 1)))


def test_renames_take_effect_on_their_day(province: Roll):
    province(c.RenameOrgUnit(uid("X1"), "Đảng bộ xã Mường Giôn", date(2023, 5, 1)))
    unit = province.unit("X1")
    assert unit.names.at(date(2023, 4, 30)) == "Đơn vị X1"
    assert unit.names.at(date(2023, 5, 1)) == "Đảng bộ xã Mường Giôn"
    with pytest.raises(StateError):
        province(c.RenameOrgUnit(uid("X1"), "Đảng bộ xã Mường Giôn", date(2024, 1, 1)))


def test_a_change_dated_before_the_unit_existed_is_refused(province: Roll):
    with pytest.raises(DateError, match="before the unit was created"):
        province(c.RenameOrgUnit(uid("X1"), "Tên", date(2019, 1, 1)))


def test_moving_a_unit_below_itself_is_a_cycle(province: Roll):
    province.add_unit("O1", "other_committee", "P")
    province.add_unit("O2", "other_committee", "O1")
    with pytest.raises(CycleError):
        province(c.MoveOrgUnit(uid("O1"), uid("O2"), date(2022, 1, 1)))
    with pytest.raises(CycleError):
        province(c.MoveOrgUnit(uid("O1"), uid("O1"), date(2022, 1, 1)))


def test_a_cycle_that_a_later_recorded_move_would_close_is_refused(province: Roll):
    province.add_unit("O1", "other_committee", "P")
    province.add_unit("O2", "other_committee", "P")
    province(c.MoveOrgUnit(uid("O2"), uid("O1"), date(2024, 1, 1)))  # O2 below O1 from 2024
    # Putting O1 below O2 from 2023 looks fine on 2023, but from 2024 O1 would be below itself.
    with pytest.raises(CycleError):
        province(c.MoveOrgUnit(uid("O1"), uid("O2"), date(2023, 1, 1)))


def test_the_2025_reform_moves_communes_and_dissolves_districts(province: Roll):
    for commune, district in (("X1", "D1"), ("X2", "D2")):
        province(c.MoveOrgUnit(uid(commune), uid("P"), REFORM))
        province(c.DissolveOrgUnit(uid(district), "abolished 1 July 2025", REFORM))
    find = province.unit_of_work().find_unit
    before = [u.code for u in lineage(find, uid("K1"), date(2024, 12, 31))]
    after = [u.code for u in lineage(find, uid("K1"), date(2025, 7, 2))]
    assert (before, after) == (["K1", "X1", "D1", "P"], ["K1", "X1", "P"])
    assert province.unit("D1").status_on(date(2025, 7, 1)) == "dissolved"


def test_a_dissolved_unit_refuses_later_changes(province: Roll):
    province(c.DissolveOrgUnit(uid("K2"), "giải thể", REFORM))
    with pytest.raises(InactiveError):
        province(c.RenameOrgUnit(uid("K2"), "Tên", date(2025, 8, 1)))
    with pytest.raises(InactiveError):
        province(c.DissolveOrgUnit(uid("K2"), "again", date(2025, 8, 1)))


def test_a_unit_only_ends_after_its_last_recorded_change(province: Roll):
    province(c.RenameOrgUnit(uid("K2"), "Tên mới", date(2024, 1, 1)))
    with pytest.raises(DateError, match="last recorded change"):
        province(c.DissolveOrgUnit(uid("K2"), "giải thể", date(2023, 1, 1)))


def test_merging_moves_children_and_members_to_the_unit_merged_into(province: Roll):
    province.add_unit("G1", "party_group", "K1", date(2022, 1, 1))
    province.add_member("M2", "K1")
    written = province(c.MergeOrgUnit(uid("K1"), uid("K2"), REFORM))
    assert written.stream_id == uid("K1")
    assert province.unit("K1").status_on(REFORM) == "merged"
    assert province.unit("G1").parents.at(REFORM) == uid("K2")
    assert province.member("M1").cells.at(REFORM) == uid("K2")
    assert province.member("M2").cells.at(date(2025, 6, 30)) == uid("K1")
    types = [e.type for e in province.store.read_all(0, 1000)][-4:]
    assert types == [
        "members.OrgUnitMoved",
        "members.MemberTransferred",
        "members.MemberTransferred",
        "members.OrgUnitMerged",
    ]


def test_merging_into_a_dissolved_unit_is_refused(province: Roll):
    province(c.DissolveOrgUnit(uid("K2"), "giải thể", date(2024, 1, 1)))
    before = province.event_count()
    with pytest.raises(InactiveError) as error:
        province(c.MergeOrgUnit(uid("K1"), uid("K2"), REFORM))
    assert error.value.field == "into_id"
    assert province.event_count() == before


def test_merging_needs_two_units_of_one_kind(province: Roll):
    with pytest.raises(KindError):
        province(c.MergeOrgUnit(uid("K1"), uid("X2"), REFORM))


def test_a_unit_cannot_merge_into_itself_or_its_own_descendant(province: Roll):
    province.add_unit("O1", "other_committee", "P")
    province.add_unit("O2", "other_committee", "O1")
    with pytest.raises(CycleError):
        province(c.MergeOrgUnit(uid("O1"), uid("O2"), REFORM))
    with pytest.raises(CycleError):
        province(c.MergeOrgUnit(uid("X1"), uid("X1"), REFORM))


def test_commands_on_an_unknown_unit_are_not_found(roll: Roll):
    with pytest.raises(NotFoundError):
        roll(c.RenameOrgUnit(uid("ghost"), "Tên", date(2022, 1, 1)))


def test_a_stale_expected_version_is_a_concurrency_error(province: Roll):
    with pytest.raises(ConcurrencyError):
        province(c.RenameOrgUnit(uid("K1"), "Tên", date(2022, 1, 1)), expected_version=7)
