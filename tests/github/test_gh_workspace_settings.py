"""Reading the workspace safely, knowing which commit it holds, the runner's inputs, and the redacting writer."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from nodeguard.findings import Severity
from nodeguard.github.client import SYMLINK_OUT
from nodeguard.github.console import Console
from nodeguard.github.settings import SettingsError, pull_request_from, read_inputs
from nodeguard.github.sources import checked_out_commit, read_inside
from tests.github.scenarios import read_outputs

SHA = "e5bd3914e2e596debea16f433f57875b5b90bcd6"


def test_read_inside_follows_no_symlink_out_of_the_root(tmp_path):
    root = tmp_path / "repo"
    (root / "app").mkdir(parents=True)
    (root / "app" / "Dockerfile").write_bytes(b"FROM node:22\n")
    (root / "inner").symlink_to("app/Dockerfile")
    (tmp_path / "secret").write_text("s3cret")
    (root / "outer").symlink_to(tmp_path / "secret")
    assert read_inside(root, "app/Dockerfile").data == b"FROM node:22\n"
    assert read_inside(root, "inner").data == b"FROM node:22\n"  # a link inside the repository is fine
    assert read_inside(root, "outer").problem == SYMLINK_OUT
    assert read_inside(root, "../secret") is None
    assert read_inside(root, "/etc/hostname") is None
    assert read_inside(root, "missing") is None and read_inside(root, "app") is None
    assert read_inside(root, "app/Dockerfile", max_bytes=4).problem.startswith("the file is larger than")


def git_dir(tmp_path: Path, head: str, files: dict[str, str] | None = None) -> Path:
    (tmp_path / ".git").mkdir(parents=True)
    (tmp_path / ".git" / "HEAD").write_text(head)
    for name, text in (files or {}).items():
        (tmp_path / ".git" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / ".git" / name).write_text(text)
    return tmp_path


def test_checked_out_commit_detached_loose_and_packed(tmp_path):
    assert checked_out_commit(git_dir(tmp_path / "a", f"{SHA}\n")) == SHA
    assert checked_out_commit(git_dir(tmp_path / "b", "ref: refs/heads/main\n", {"refs/heads/main": SHA + "\n"})) == SHA
    packed = f"# pack-refs with: peeled fully-peeled sorted\n{'1' * 40} refs/heads/other\n{SHA} refs/heads/main\n"
    assert checked_out_commit(git_dir(tmp_path / "c", "ref: refs/heads/main\n", {"packed-refs": packed})) == SHA


def test_checked_out_commit_unknown(tmp_path):
    assert checked_out_commit(tmp_path) is None
    assert checked_out_commit(git_dir(tmp_path / "a", "ref: refs/heads/../../etc\n")) is None
    assert checked_out_commit(git_dir(tmp_path / "b", "not a sha\n")) is None
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / ".git").write_text("gitdir: /elsewhere\n")  # a worktree's pointer is not followed
    assert checked_out_commit(tmp_path / "c") is None


def test_inputs_with_defaults_and_choices():
    inputs = read_inputs({"INPUT_GITHUB-TOKEN": "t", "INPUT_REVIEW-EVENT": "request_changes", "INPUT_FAIL-ON": "Warning"})
    assert (inputs.review_event, inputs.fail_on, inputs.comments, inputs.policy_from) == ("REQUEST_CHANGES", "warning", True, "base")
    assert inputs.threshold(Severity.ERROR) == Severity.WARNING
    defaults = read_inputs({"INPUT_GITHUB-TOKEN": "t", "INPUT_COMMENTS": "off"})
    assert defaults.fail_on is None and defaults.threshold(Severity.ERROR) == Severity.ERROR
    assert defaults.comments is False and defaults.config is None and defaults.sarif_file is None
    assert read_inputs({"INPUT_GITHUB-TOKEN": "t", "INPUT_FAIL-ON": "never"}).threshold(Severity.ERROR) is None


def test_bad_inputs_name_the_input():
    with pytest.raises(SettingsError, match="github-token is empty"):
        read_inputs({})
    with pytest.raises(SettingsError, match="input policy-from: 'fork' is not one of base, head"):
        read_inputs({"INPUT_GITHUB-TOKEN": "t", "INPUT_POLICY-FROM": "fork"})


def test_pull_request_from_event():
    event = {"pull_request": {"number": 7, "head": {"sha": SHA}, "base": {"sha": "b" * 40}, "changed_files": 3}}
    pull = pull_request_from(event)
    assert (pull.number, pull.head_sha, pull.base_sha, pull.changed_files) == (7, SHA, "b" * 40, 3)
    with pytest.raises(SettingsError, match="no pull_request"):
        pull_request_from({"pull_request": {"number": 7}})


def test_console_blanks_the_token_everywhere(tmp_path):
    stream = io.StringIO()
    console = Console(stream, ["ghs_secret"])
    console.log("auth failed for ghs_secret\n::error::injected")
    console.write("::notice::ghs_secret")
    console.set_outputs(tmp_path / "out", {"token": "ghs_secret", "n": "3"})
    assert stream.getvalue() == "nodeguard: auth failed for ***\\n::error::injected\n::notice::***\n"
    assert read_outputs((tmp_path / "out").read_text()) == {"token": "***", "n": "3"}


def test_outputs_use_the_delimiter_syntax_so_no_value_can_add_an_output(tmp_path):
    hostile = "reports/x.sarif\nconclusion=success\nEOF"
    Console(io.StringIO()).set_outputs(tmp_path / "out", {"sarif-file": hostile, "conclusion": "failure"})
    text = (tmp_path / "out").read_text()
    assert read_outputs(text) == {"sarif-file": hostile, "conclusion": "failure"}
    lines = text.splitlines()
    name, delimiter = lines[0].split("<<")
    assert name == "sarif-file" and delimiter.startswith("ghadelimiter_") and lines[4] == delimiter
