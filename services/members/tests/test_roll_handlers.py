"""The member roll through the handlers, over the in-memory store."""

from __future__ import annotations

from datetime import date

import pytest

from chibo_members import commands as c
from chibo_members.domain.errors import (
    ConflictError,
    DateError,
    InactiveError,
    KindError,
    NotFoundError,
    RuleError,
    StateError,
)

from .conftest import Roll

M1 = c.member_id_for_code("M1")


def uid(code: str) -> str:
    return c.unit_id_for_code(code)


def test_a_member_joins_their_cell_on_admission(province: Roll):
    member = province.member("M1")
    assert member.cell_on(date(2021, 2, 28)) is None
    assert member.cell_on(date(2021, 3, 1)) == uid("K1")
    assert member.status_on(date(2021, 3, 1)) == "full"


def test_a_member_is_registered_in_a_cell_that_exists_that_day(province: Roll):
    with pytest.raises(KindError) as error:
        province.add_member("M2", "X1")
    assert error.value.field == "cell_id"
    with pytest.raises(InactiveError):
        province.add_member("M3", "K1", on=date(2019, 1, 1))
    with pytest.raises(ConflictError):
        province(
            c.RegisterMember(
                "other-id", "Lê Thị Hoa", uid("K1"), "full", date(2022, 1, 1), code="M1"
            )
        )


def test_birth_must_come_before_admission(province: Roll):
    with pytest.raises(DateError):
        province(
            c.RegisterMember(
                "m", "Lê Thị Hoa", uid("K1"), "full", date(2022, 1, 1), birth_date=date(2022, 1, 1)
            )
        )


def test_a_transfer_moves_the_member_on_its_day(province: Roll):
    province(c.TransferMember(M1, uid("K2"), date(2023, 6, 1)))
    member = province.member("M1")
    assert (member.cell_on(date(2023, 5, 31)), member.cell_on(date(2023, 6, 1))) == (
        uid("K1"),
        uid("K2"),
    )
    with pytest.raises(DateError):
        province(c.TransferMember(M1, uid("K1"), date(2023, 1, 1)))
    with pytest.raises(StateError):
        province(c.TransferMember(M1, uid("K2"), date(2024, 1, 1)))


def test_full_membership_is_confirmed_once(province: Roll):
    province.add_member("M2", "K1", status="probationary")
    province(c.ConfirmFullMembership(c.member_id_for_code("M2"), date(2022, 3, 1)))
    member = province.member("M2")
    assert (member.status_on(date(2022, 2, 28)), member.status_on(date(2022, 3, 1))) == (
        "probationary",
        "full",
    )
    with pytest.raises(StateError):
        province(c.ConfirmFullMembership(c.member_id_for_code("M2"), date(2023, 3, 1)))


def test_exemptions_do_not_overlap_and_end_on_a_day(province: Roll):
    province(c.ExemptMember(M1, "e1", date(2024, 1, 1), None, "tuổi cao", "QĐ-12/CB"))
    with pytest.raises(StateError, match="already exempted"):
        province(c.ExemptMember(M1, "e2", date(2024, 6, 1), date(2024, 12, 31), "ốm", "QĐ-13/CB"))
    province(c.EndExemption(M1, date(2024, 9, 30)))
    exemption = province.member("M1").exemptions["e1"]
    assert (exemption.covers(date(2024, 9, 30)), exemption.covers(date(2024, 10, 1))) == (
        True,
        False,
    )
    with pytest.raises(StateError):
        province(c.EndExemption(M1, date(2024, 11, 1)))


def test_an_exemption_ends_after_it_starts(province: Roll):
    with pytest.raises(DateError):
        province(c.ExemptMember(M1, "e1", date(2024, 1, 1), date(2023, 1, 1), "ốm", "QĐ"))


def test_a_member_is_attached_to_another_cell_only(province: Roll):
    with pytest.raises(StateError, match="own cell"):
        province(c.AttachMember(M1, "a1", uid("K1"), date(2024, 1, 1)))
    province(c.AttachMember(M1, "a1", uid("K2"), date(2024, 1, 1), date(2024, 6, 30)))
    assert province.member("M1").attachments["a1"].cell_id == uid("K2")


def test_positions_fit_the_unit(province: Roll):
    province(c.AssignPosition(M1, "p1", uid("K1"), "secretary", date(2022, 1, 1)))
    province(c.AssignPosition(M1, "p2", uid("X1"), "standing_committee_member", date(2022, 1, 1)))
    with pytest.raises(KindError):
        province(c.AssignPosition(M1, "p3", uid("X1"), "cell_committee_member", date(2022, 1, 1)))
    with pytest.raises(RuleError, match="come from that cell"):
        province(c.AssignPosition(M1, "p4", uid("K2"), "deputy_secretary", date(2022, 1, 1)))
    with pytest.raises(StateError):
        province(c.AssignPosition(M1, "p5", uid("K1"), "secretary", date(2023, 1, 1)))
    province(c.EndPosition(M1, "p1", date(2023, 12, 31)))
    assert province.member("M1").positions["p1"].to == date(2023, 12, 31)
    with pytest.raises(NotFoundError):
        province(c.EndPosition(M1, "nope", date(2023, 12, 31)))


def test_after_leaving_nothing_more_happens_to_the_member(province: Roll):
    province(c.RecordLeaving(M1, "deceased", date(2024, 2, 1)))
    member = province.member("M1")
    assert (member.cell_on(date(2024, 1, 31)), member.cell_on(date(2024, 2, 1))) == (
        uid("K1"),
        None,
    )
    with pytest.raises(InactiveError, match="left"):
        province(c.TransferMember(M1, uid("K2"), date(2024, 3, 1)))
    with pytest.raises(InactiveError):
        province(c.RecordLeaving(M1, "resigned", date(2024, 3, 1)))


def test_commands_on_an_unknown_member_are_not_found(roll: Roll):
    with pytest.raises(NotFoundError):
        roll(c.ConfirmFullMembership("ghost", date(2024, 1, 1)))
