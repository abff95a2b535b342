"""`chibo token` signs with the same secret the services read from the data folder."""

from __future__ import annotations

from chibo_cli.main import main
from chibo_web.auth import TokenVerifier, token_settings_from_env


def test_a_printed_token_verifies_with_the_data_folders_secret(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CHIBO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CHIBO_JWT_SECRET", raising=False)
    assert main(["token", "--sub", "admin-1", "--role", "admin", "--scope", "*"]) == 0
    token = capsys.readouterr().out.strip()
    caller = TokenVerifier(token_settings_from_env(tmp_path, {})).verify(f"Bearer {token}")
    assert (caller.sub, caller.roles, caller.scope) == ("admin-1", frozenset({"admin"}), ("*",))
    assert (tmp_path / "jwt-secret").stat().st_mode & 0o777 == 0o600


def test_a_whole_tree_scope_is_refused_to_a_secretary(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CHIBO_DATA_DIR", str(tmp_path))
    assert main(["token", "--sub", "s-1", "--role", "secretary", "--scope", "*"]) == 2
    assert "only admin" in capsys.readouterr().err
