"""How long a write waits for a reference it has not received yet: the setting and the wait."""

from __future__ import annotations

import pytest

from chibo_eventsourcing.runtime import PlatformSettings, wait_until


def test_a_deployment_waits_three_seconds_unless_told_otherwise():
    assert PlatformSettings.from_env({}).reference_wait_seconds == 3.0
    told = PlatformSettings.from_env({"CHIBO_REFERENCE_WAIT_SECONDS": "0.5"})
    assert told.reference_wait_seconds == 0.5


@pytest.mark.parametrize("value", ["soon", "-1", "61"])
def test_a_wait_that_is_no_number_of_seconds_is_refused_by_name(value):
    with pytest.raises(ValueError, match=r"CHIBO_REFERENCE_WAIT_SECONDS .* from 0 to 60"):
        PlatformSettings.from_env({"CHIBO_REFERENCE_WAIT_SECONDS": value})


def test_the_wait_ends_as_soon_as_the_answer_is_yes():
    answers = [False, False, True, False]
    assert wait_until(lambda: answers.pop(0), seconds=60, interval=0.01) is True
    assert answers == [False]  # not asked again


def test_the_wait_gives_up_after_its_seconds():
    asked = []

    def never() -> bool:
        asked.append(1)
        return False

    assert wait_until(never, seconds=0.1, interval=0.02) is False
    assert len(asked) >= 2  # asked again while it waited
