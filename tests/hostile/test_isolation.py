"""One file's trouble stays on that file: a wrapper chain of any length is read, and whatever fails while
reading, modelling or checking one Dockerfile becomes its NG005 finding while the other files are reported."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import nodeguard.engine as engine
import nodeguard.model.context as context_module
from nodeguard.engine import FileToCheck, check_files, check_paths
from nodeguard.model.context import GivenFiles
from nodeguard.model.shell import split_commands
from nodeguard.policy import load_policy

WRAPPER_CHAINS = ["sudo ", "exec ", "env A=1 ", "nohup ", "time ", "sudo -u node env B=2 nohup "]


@pytest.mark.parametrize("wrapper", WRAPPER_CHAINS)
def test_a_chain_of_thousands_of_wrappers_is_unwrapped_to_the_command_it_runs(wrapper):
    commands = split_commands(wrapper * 5000 + "npm ci")
    assert commands[-1].argv == ("npm", "ci")
    assert all(command.program in {"sudo", "exec", "env", "nohup", "time"} for command in commands[:-1])
    assert commands[-1].text == "npm ci"


def test_env_assignments_pass_along_a_long_chain():
    commands = split_commands("env A=1 " * 3000 + "env B=2 npm ci")
    assert commands[-1].assignments == {"A": "1", "B": "2"}


def test_a_sudo_chain_dockerfile_is_checked_and_the_other_files_still_reported(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text("FROM node:20\nRUN " + "sudo " * 1000 + "npm ci\n")
    (tmp_path / "other.Dockerfile").write_text('FROM node\nCMD ["npm", "start"]\n')
    done = subprocess.run(
        [sys.executable, "-m", "nodeguard", "check", ".", "--format", "json"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert "Traceback" not in done.stderr
    assert '"NG202"' in done.stdout and '"NG502"' in done.stdout  # both files' findings


def _explode_on(marker: str):
    real = engine.build_image

    def build_image(parsed):
        if any(marker in line for line in parsed.lines):
            raise RecursionError("maximum recursion depth exceeded")
        return real(parsed)

    return build_image


def test_a_failure_while_modelling_one_file_on_disk_is_its_NG005(tmp_path: Path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text("FROM node:20\n# boom\n")
    (tmp_path / "other.Dockerfile").write_text('FROM node\nCMD ["npm", "start"]\n')
    monkeypatch.setattr(engine, "build_image", _explode_on("boom"))
    result = check_paths([str(tmp_path)], load_policy(None, str(tmp_path)), cwd=tmp_path)
    failed = [f for f in result.findings if f.path == "Dockerfile"]
    assert [f.rule for f in failed] == ["NG005"]
    assert "RecursionError" in failed[0].message
    assert {"NG101", "NG502"} <= {f.rule for f in result.findings if f.path == "other.Dockerfile"}
    assert set(result.checked) == {"Dockerfile", "other.Dockerfile"}


def test_a_failure_while_modelling_one_file_from_the_api_is_its_NG005(monkeypatch):
    monkeypatch.setattr(engine, "build_image", _explode_on("boom"))
    files = GivenFiles({"a/Dockerfile": b"FROM node:20\n# boom\n", "b/Dockerfile": b"FROM node\n"})
    result = check_files(FileToCheck(path, files, load_policy(None, ".")) for path in ["a/Dockerfile", "b/Dockerfile"])
    assert [f.rule for f in result.findings if f.path == "a/Dockerfile"] == ["NG005"]
    assert "NG101" in {f.rule for f in result.findings if f.path == "b/Dockerfile"}


def test_a_failure_while_reading_the_ignore_file_from_the_api_is_its_dockerfiles_NG005(monkeypatch):
    def broken(path, text):
        raise MemoryError()

    monkeypatch.setattr(context_module, "parse_ignore_file", broken)
    files = GivenFiles({"a/Dockerfile": b"FROM node:20\n", "b/Dockerfile": b"FROM node\n", "a/.dockerignore": b"x\n"})
    result = check_files(FileToCheck(path, files, load_policy(None, ".")) for path in ["a/Dockerfile", "b/Dockerfile"])
    assert [f.rule for f in result.findings if f.path == "a/Dockerfile"] == ["NG005"]
    assert "NG101" in {f.rule for f in result.findings if f.path == "b/Dockerfile"}
