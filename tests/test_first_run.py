"""The first run as a stranger makes it: the README's demo, named paths, empty runs and standard input."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import GOOD, run

REPO_ROOT = Path(__file__).resolve().parents[1]
FLAWED = "FROM node:latest\nCMD node server.js\n"


def findings_of(result: subprocess.CompletedProcess) -> list[dict]:
    return json.loads(result.stdout)["findings"]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_shows_the_flawed_examples_findings_and_a_clean_good_example():
    environment = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        # the demo's own commands, run with this interpreter instead of the checkout's venv
        ["make", "--no-print-directory", "demo", f"BIN={Path(sys.executable).parent}", "RUNTIME_STAMP="],
        cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    flawed, good = result.stdout.split("== examples/good")
    for rule in ("NG101", "NG401", "NG501", "NG502", "NG802", "NG904"):
        assert "examples/flawed/Dockerfile" in flawed and f" {rule} " in flawed, rule
    assert "errors" in flawed and "0 files" not in flawed
    assert "(nodeguard exited with 1" in flawed
    assert "No problems found in 1 file." in good


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".nodeguard.yml").write_text('exclude: ["legacy/**", "**/Dockerfile.old-*"]\n')
    for folder in ("legacy", "app"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "Dockerfile").write_text(FLAWED)
    (tmp_path / "app" / "Dockerfile.old-1").write_text(FLAWED)
    return tmp_path


def test_a_walk_of_the_repository_honours_the_policys_exclude(repo: Path):
    paths = {f["path"] for f in findings_of(run(["check", "--format", "json", "."], repo))}
    assert paths == {"app/Dockerfile"}


def test_a_file_named_is_checked_even_when_the_policy_excludes_it(repo: Path):
    result = run(["check", "--format", "json", "legacy/Dockerfile", "app/Dockerfile.old-1"], repo)
    assert {f["path"] for f in findings_of(result)} == {"legacy/Dockerfile", "app/Dockerfile.old-1"}
    assert result.returncode == 1


def test_a_folder_named_is_checked_when_the_policy_excludes_it_as_a_whole(repo: Path):
    result = run(["check", "--format", "json", "legacy"], repo)
    assert {f["path"] for f in findings_of(result)} == {"legacy/Dockerfile"}
    # a pattern that picks files inside the named folder still applies
    result = run(["check", "--format", "json", "app"], repo)
    assert {f["path"] for f in findings_of(result)} == {"app/Dockerfile"}


def test_force_exclude_applies_the_policy_to_named_files(repo: Path):
    result = run(["check", "--force-exclude", "--format", "json", "legacy/Dockerfile", "app/Dockerfile"], repo)
    assert {f["path"] for f in findings_of(result)} == {"app/Dockerfile"}
    only_excluded = run(["check", "--force-exclude", "legacy/Dockerfile"], repo)
    assert only_excluded.returncode == 0, only_excluded.stderr
    assert "the policy excludes every file found (1)" in only_excluded.stderr


def test_the_policy_is_found_from_the_files_folder_not_the_current_one(tmp_path: Path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    (project / ".github").mkdir()
    (project / ".github" / "nodeguard.yml").write_text("fail-on: never\nrules:\n  NG101: off\n")
    (project / "Dockerfile").write_text(FLAWED)
    result = run(["check", "--format", "json", str(project / "Dockerfile")], outside)
    rules = {f["rule"] for f in findings_of(result)}
    assert "NG101" not in rules and "NG501" in rules
    assert result.returncode == 0  # the project's fail-on: never


def test_each_repository_named_gets_its_own_policy(tmp_path: Path):
    for name, level in (("strict", "error"), ("lax", "off")):
        (tmp_path / name / ".git").mkdir(parents=True)
        (tmp_path / name / ".nodeguard.yml").write_text(f"rules:\n  NG501: {level}\n")
        (tmp_path / name / "Dockerfile").write_text(FLAWED)
    findings = findings_of(run(["check", "--format", "json", "strict", "lax"], tmp_path))
    assert [f["severity"] for f in findings if f["rule"] == "NG501"] == ["error"]
    assert {f["path"] for f in findings if f["rule"] == "NG501"} == {"strict/Dockerfile"}


def test_a_broken_policy_met_on_the_way_is_a_usage_error(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / ".nodeguard.yml").write_text("rules:\n  NG999: off\n")
    (tmp_path / "svc" / "Dockerfile").write_text(GOOD)
    result = run(["check", "."], tmp_path)
    assert result.returncode == 2 and "svc/.nodeguard.yml:2" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_run_that_finds_nothing_is_a_usage_error_unless_allowed(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "index.js").write_text("console.log(1)\n")
    result = run(["check", "src"], tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "nodeguard: no Dockerfile or .dockerignore found in src (--allow-empty accepts that)\n"
    allowed = run(["check", "--allow-empty", "src"], tmp_path)
    assert allowed.returncode == 0 and "No problems found in 0 files." in allowed.stdout


def test_standard_input_is_checked_as_the_file_it_is_named(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / ".env").write_text("TOKEN=x\n")
    text = "FROM node:latest\nCOPY . .\nCMD node server.js\n"
    result = subprocess.run(
        [sys.executable, "-m", "nodeguard", "check", "--format", "json", "--stdin-filename", "api/Dockerfile", "-"],
        cwd=tmp_path, input=text.encode(), capture_output=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    findings = json.loads(result.stdout)["findings"]
    assert result.returncode == 1, result.stderr
    assert {f["path"] for f in findings if f["rule"] == "NG501"} == {"api/Dockerfile"}
    # the build context is the named file's folder: its .env is seen
    assert any(f["rule"] == "NG904" and ".env" in f["message"] for f in findings)


def test_standard_input_without_a_name_is_shown_as_a_dash(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-m", "nodeguard", "check", "-"], cwd=tmp_path, input=FLAWED.encode(),
        capture_output=True, timeout=60, env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "NO_COLOR": "1"},
    )
    assert result.returncode == 1 and b"-:1:1: NG101 error" in result.stdout


def test_standard_input_is_not_offered_the_fix_it_refuses(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "nodeguard", "check", "--stdin-filename", "Dockerfile", "-"], cwd=tmp_path,
        input="FROM node:22-alpine\nUSER node\nCMD node server.js\n", capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "NO_COLOR": "1"},
    )
    assert result.returncode == 0 and "Dockerfile:3:1: NG501 warning" in result.stdout
    assert "fixable" not in result.stdout and "--fix" not in result.stdout


def test_standard_input_cannot_be_fixed_and_stdin_filename_needs_a_dash(tmp_path: Path):
    fixed = run(["check", "--fix", "-"], tmp_path)
    assert fixed.returncode == 2 and "standard input cannot be fixed in place" in fixed.stderr
    assert "--diff" in fixed.stderr  # what can be done instead
    (tmp_path / "Dockerfile").write_text(FLAWED)
    named = run(["check", "--stdin-filename", "Dockerfile", "Dockerfile"], tmp_path)
    assert named.returncode == 2 and "give - as the path" in named.stderr


def stdin_run(args: list[str], cwd: Path, text: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nodeguard", *args], cwd=cwd, input=text.encode(), capture_output=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "NO_COLOR": "1"},
    )


def test_diff_of_standard_input_is_what_fix_would_do_to_it_labelled_with_its_name(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "api").mkdir()
    text = "FROM node:22-alpine\r\nUSER node\r\nCMD node server.js\r\n"
    (tmp_path / "api" / "Dockerfile").write_text("FROM node:22-alpine\n")  # what is on disk is not what is fixed
    result = stdin_run(["check", "--diff", "--show-fixes", "--stdin-filename", "api/Dockerfile", "-"], tmp_path, text)
    assert result.returncode == 1, result.stderr
    assert result.stdout.decode() == (
        "--- a/api/Dockerfile\n+++ b/api/Dockerfile\n@@ -1,3 +1,3 @@\n"
        " FROM node:22-alpine\r\n USER node\r\n-CMD node server.js\r\n+CMD [\"node\", \"server.js\"]\r\n"
    )
    assert b"would have fixed 1 problem in api/Dockerfile (NG501 1)" in result.stderr
    assert b"api/Dockerfile:3: NG501 safe (round 1)" in result.stderr
    assert (tmp_path / "api" / "Dockerfile").read_text() == "FROM node:22-alpine\n"  # nothing written


def test_diff_of_standard_input_without_a_name_is_labelled_with_a_dash(tmp_path: Path):
    result = stdin_run(["check", "--diff", "-"], tmp_path, "FROM node:22-alpine\nUSER node\nCMD node server.js\n")
    assert result.returncode == 1, result.stderr
    assert result.stdout.decode().startswith("--- -\n+++ -\n@@ -1,3 +1,3 @@\n")
    assert sorted(path.name for path in tmp_path.iterdir()) == []


def test_diff_of_standard_input_with_nothing_to_fix_is_empty_and_exits_0(tmp_path: Path):
    result = stdin_run(["check", "--diff", "-"], tmp_path, "FROM node:22-alpine\nUSER node\nCMD [\"node\", \"server.js\"]\n")
    assert result.returncode == 0 and result.stdout == b""
    assert b"no fix to make" in result.stderr
    unreadable = stdin_run(["check", "--diff", "-"], tmp_path, "")
    assert unreadable.stdout == b""
