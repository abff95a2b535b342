"""The comparison finds every stated value a report does not match, and nothing else."""

from __future__ import annotations

from bench.province.compare import differences


def test_equal_answers_have_no_differences_even_with_more_fields_in_the_report():
    expected = {"CR-11": {"result": "pass", "figures": {"rate": 0.9231, "required": 13}}}
    actual = {"CR-11": {"result": "pass", "evidence": ["e1"],
                        "figures": {"rate": 0.9231, "required": 13, "pending": 0}}}
    assert list(differences(expected, actual)) == []


def test_a_different_or_missing_value_is_reported_where_it_is():
    expected = {"CR-01": {"result": "fail", "figures": {"met": 2, "failed": 1}}}
    actual = {"CR-01": {"result": "pass", "figures": {"met": 2}}}
    found = {where: (want, repr(got)) for where, want, got in differences(expected, actual)}
    assert found == {"CR-01.result": ("fail", "'pass'"),
                     "CR-01.figures.failed": (1, "<missing>")}


def test_lists_of_ids_compare_as_sets_and_report_objects_by_their_ids():
    expected = {"alerts": ["m2", "m1"], "members": ["m3"]}
    actual = {"alerts": [{"member_id": "m1", "months": []}, {"member_id": "m2"}],
              "members": [{"member_id": "m4"}]}
    assert list(differences(expected, actual)) == [("members", ["m3"], ["m4"])]


def test_lists_of_objects_compare_each_object_by_its_overseer():
    expected = {"overseers": [{"overseer_id": "o1", "required": 2, "state": "fail"}]}
    actual = {"overseers": [{"overseer_id": "o1", "required": 2, "state": "pass"}]}
    assert list(differences(expected, actual)) == [("overseers[o1].state", "fail", "pass")]
    assert list(differences(expected, {"overseers": []})) == [
        ("overseers[ids]", ["o1"], [])]


def test_numbers_compare_by_value_and_booleans_by_identity():
    assert list(differences({"share": 0.5, "n": 3}, {"share": 0.50000001, "n": 3.0})) == []
    assert list(differences({"met": False}, {"met": 0})) == [("met", False, 0)]
