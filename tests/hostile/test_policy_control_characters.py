"""A policy file holding a control character is a policy error naming the file and the place, never a
traceback: from the command line, and from the repository the way the action reads it (``policy-from: head``)."""
from __future__ import annotations

from pathlib import Path

import pytest

from nodeguard.github.policy_source import load_policy_text
from nodeguard.policy import PolicyError, load_policy
from tests.github.conftest import github  # noqa: F401 - the fake GitHub fixture
from tests.github.scenarios import base_files, head_files, pull_request_event, run_action, workspace_for
from tests.test_cli import run

BEL_POLICY = "fail-on: error\nrules:\n  NG101: \x07off\n"


@pytest.mark.parametrize("character", ["\x07", "\x00", "\x1b", "\x7f", "\ufffe"])
def test_a_control_character_is_a_policy_error_with_its_line(tmp_path: Path, character):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".nodeguard.yml").write_text(BEL_POLICY.replace("\x07", character), encoding="utf-8")
    with pytest.raises(PolicyError) as raised:
        load_policy(None, str(tmp_path))
    assert raised.value.line == 3 and "control character" in raised.value.message


def test_the_cli_reports_the_file_and_line_and_exits_2(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text("FROM node:latest\n")
    (tmp_path / "policy.yml").write_text(BEL_POLICY)
    done = run(["check", "--config", "policy.yml", "."], tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "policy.yml:3: invalid YAML: U+0007, a control character, at column 10" in done.stderr


def test_the_action_reading_the_head_commits_policy_gets_a_policy_error():
    with pytest.raises(PolicyError) as raised:
        load_policy_text(".github/nodeguard.yml", BEL_POLICY.encode())
    assert str(raised.value).startswith(".github/nodeguard.yml:3: invalid YAML: U+0007")


def test_the_action_with_policy_from_head_reports_the_policy_error_in_a_failed_check_run(github, tmp_path):
    """A pull request that adds BEL to the head's policy: a failed check run naming file and line, no crash."""
    head = {**head_files(), ".github/nodeguard.yml": BEL_POLICY.encode()}
    fake = github(base_files(), head)
    result = run_action(fake, workspace_for(tmp_path, head), pull_request_event(fake), inputs={"policy-from": "head"})
    assert result.returncode == 1 and result.outputs["conclusion"] == "failure"
    assert "Traceback" not in result.everything()
    assert "::error::.github/nodeguard.yml:3: invalid YAML: U+0007, a control character" in result.stdout
    (run,) = fake.check_runs
    assert run.conclusion == "failure"
