"""Settings from the environment: the writer process is chosen by the database unless told."""

from __future__ import annotations

import pytest

from chibo_reporting.bootstrap import bootstrap
from chibo_reporting.config import Settings

SECRET = "settings-test-secret-0123456789abcdef0123"


def settings_with(tmp_path, **env: str) -> Settings:
    return Settings.from_env({"CHIBO_DATA_DIR": str(tmp_path), "CHIBO_JWT_SECRET": SECRET, **env})


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), ("", None), ("true", True), ("1", True), ("False", False), ("no", False)])
def test_reporting_writer_process_is_read_as_a_flag(tmp_path, value, expected):
    env = {} if value is None else {"REPORTING_WRITER_PROCESS": value}
    assert settings_with(tmp_path, **env).writer_process is expected


def test_an_unreadable_writer_process_flag_is_refused_by_name(tmp_path):
    with pytest.raises(ValueError, match="REPORTING_WRITER_PROCESS"):
        settings_with(tmp_path, REPORTING_WRITER_PROCESS="sometimes")


@pytest.mark.parametrize(("value", "in_child"), [(None, False), ("true", True)])
def test_on_sqlite_the_projector_writes_in_its_own_process_unless_told(tmp_path, bus, value,
                                                                        in_child):
    env = {} if value is None else {"REPORTING_WRITER_PROCESS": value}
    service = bootstrap(settings_with(tmp_path, **env), bus=bus)
    assert (service.projector().child_writer is not None) is in_child
    service.engine.dispose()
