"""The command line, run as a user runs it: a subprocess with exit codes, formats and bad input."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

GOOD = """FROM node:24-alpine@sha256:2867d550cf9d8bb50059a0fff528741f11a84d985c732e60e19e8e75c7239c43
CMD ["node", "server.js"]
"""


def run(args: list[str], cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "NO_COLOR": "1", **(env or {})}
    environment["PYTHONPATH"] = str(REPO_ROOT)
    return subprocess.run(
        [sys.executable, "-m", "nodeguard", *args], cwd=cwd, env=environment,
        capture_output=True, text=True, timeout=60,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    return tmp_path


def test_latest_tag_is_an_error_with_exit_code_1(repo: Path):
    (repo / "Dockerfile").write_text("FROM node:latest\nCMD node server.js\n")
    result = run(["check", "."], repo)
    assert result.returncode == 1, result.stderr
    assert "Dockerfile:1:1: NG101 error" in result.stdout
    assert "Dockerfile:2:1: NG501 warning" in result.stdout
    assert result.stderr == ""


def test_fail_on_never_exits_0_and_fail_on_info_counts_everything(repo: Path):
    (repo / "Dockerfile").write_text("FROM node:latest\n")
    assert run(["check", "--fail-on", "never", "."], repo).returncode == 0
    assert run(["check", "--fail-on", "info", "."], repo).returncode == 1


def test_json_report_is_the_documented_contract(repo: Path):
    (repo / "api").mkdir()
    (repo / "api" / "Dockerfile").write_text("FROM node\n")
    result = run(["check", "--format", "json", "."], repo)
    report = json.loads(result.stdout)
    assert set(report) >= {"version", "findings"}
    tag = next(f for f in report["findings"] if f["rule"] == "NG101")
    assert tag["path"] == "api/Dockerfile" and tag["line"] == 1 and tag["end_line"] == 1
    assert tag["name"] == "base-image-tag" and tag["section"] == 1 and tag["severity"] == "error"
    assert tag["fix"] is None


def test_sarif_and_github_formats(repo: Path):
    (repo / "Dockerfile").write_text("FROM node\n")
    sarif = json.loads(run(["check", "--format", "sarif", "."], repo).stdout)
    assert sarif["version"] == "2.1.0"
    assert any(r["ruleId"] == "NG101" for r in sarif["runs"][0]["results"])
    github = run(["check", "--format", "github", "."], repo).stdout
    assert "::error file=Dockerfile,line=1" in github


def test_fix_rewrites_shell_form_cmd_and_the_rerun_is_clean_of_it(repo: Path):
    head = "FROM node:24-alpine\nENV NODE_ENV=production\nUSER node\n"  # nothing else for --fix to change
    (repo / "Dockerfile").write_text(head + "CMD node server.js\n")
    result = run(["check", "--fix", "--format", "json", "."], repo)
    assert (repo / "Dockerfile").read_text() == head + 'CMD ["node", "server.js"]\n'
    assert "fixed 1 problem in Dockerfile" in result.stderr
    assert not [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "NG501"]


def test_broken_policy_exits_2_naming_file_line_and_key(repo: Path):
    (repo / "Dockerfile").write_text(GOOD)
    (repo / ".nodeguard.yml").write_text("rules:\n  NG999: off\n")
    result = run(["check", "."], repo)
    assert result.returncode == 2
    assert ".nodeguard.yml:2" in result.stderr and "NG999" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_missing_config_file_is_a_usage_error(repo: Path):
    result = run(["check", "--config", "nope.yml", "."], repo)
    assert result.returncode == 2 and "nope.yml" in result.stderr


def test_bad_input_is_reported_per_file_and_other_files_are_still_checked(repo: Path):
    (repo / "empty").mkdir()
    (repo / "empty" / "Dockerfile").write_text("")
    (repo / "binary").mkdir()
    (repo / "binary" / "Dockerfile").write_bytes(b"\x00\x01\x02\xff" * 100)
    (repo / "latin1").mkdir()
    (repo / "latin1" / "Dockerfile").write_bytes("FROM node:latest\nLABEL author=\"Jos\xe9\"\n".encode("latin-1"))
    (repo / "heredoc").mkdir()
    (repo / "heredoc" / "Dockerfile").write_text("FROM node:latest\nRUN <<EOF\nnpm ci\n")
    (repo / "huge").mkdir()
    (repo / "huge" / "Dockerfile").write_text("FROM node:latest\n" + "RUN echo x\n" * 1_000_000)
    result = run(["check", "--format", "json", "."], repo)
    assert "Traceback" not in result.stderr
    findings = json.loads(result.stdout)["findings"]
    by_path = {}
    for finding in findings:
        by_path.setdefault(finding["path"], set()).add(finding["rule"])
    assert "NG001" in by_path["empty/Dockerfile"]
    assert "NG001" in by_path["binary/Dockerfile"]
    assert {"NG001", "NG101"} <= by_path["latin1/Dockerfile"]
    assert {"NG001", "NG101"} <= by_path["heredoc/Dockerfile"]
    assert "NG001" in by_path["huge/Dockerfile"]


def test_missing_path_is_a_usage_error_in_one_line_even_with_fail_on_never(repo: Path):
    (repo / "Dockerfile").write_text(GOOD)
    result = run(["check", "--fail-on", "never", "Dockerfile", "does-not-exist"], repo)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "nodeguard: no such file or folder: does-not-exist\n"


def test_rules_lists_every_rule_with_its_section(repo: Path):
    result = run(["rules"], repo)
    assert result.returncode == 0
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert "base-image-tag" in lines["NG101"] and lines["NG101"].split()[1] == "1"
    assert "exec-form-command" in lines["NG501"]


def test_explain_prints_the_rule_page_and_rejects_unknown_ids(repo: Path):
    page = run(["explain", "NG501"], repo)
    assert page.returncode == 0 and page.stdout.startswith("# NG501 exec-form-command")
    assert "## Why" in page.stdout and "CMD [\"node\", \"server.js\"]" in page.stdout
    assert run(["explain", "base-image-tag"], repo).stdout.startswith("# NG101")
    unknown = run(["explain", "NG999"], repo)
    assert unknown.returncode == 2 and "NG999" in unknown.stderr


def test_schema_is_printed_as_json(repo: Path):
    schema = json.loads(run(["schema"], repo).stdout)
    assert "properties" in schema and "rules" in schema["properties"]


def test_no_command_prints_usage_and_exits_2(repo: Path):
    result = run([], repo)
    assert result.returncode == 2 and "usage" in result.stderr.lower()


def test_check_does_not_import_github_or_jsonschema(repo: Path):
    (repo / "Dockerfile").write_text(GOOD)
    code = (
        "import sys; from nodeguard.cli import main; main(['check', '--fail-on', 'never', '.']);"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('github', 'jsonschema', 'requests')))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stderr


def test_an_ignore_file_named_alone_checks_the_dockerfiles_it_governs(repo: Path):
    (repo / "app").mkdir()
    (repo / "app" / "Dockerfile").write_text("FROM node:latest\nCOPY . .\n")
    (repo / "app" / ".dockerignore").write_text("node_modules # deps\n")
    (repo / "lonely").mkdir()
    (repo / "lonely" / ".dockerignore").write_text(".git\n")
    result = run(["check", "--format", "json", "app/.dockerignore", "lonely/.dockerignore"], repo)
    paths = {f["path"] for f in json.loads(result.stdout)["findings"]}
    assert {"app/Dockerfile", "app/.dockerignore"} <= paths
    assert "lonely/.dockerignore: no Dockerfile beside it uses this ignore file" in result.stderr


def test_an_ignore_file_named_alone_checks_the_dockerfiles_the_policy_maps_to_its_context(repo: Path):
    """The same answer the action gives: ``contexts`` puts docker/api.Dockerfile's build in ctx/."""
    (repo / ".nodeguard.yml").write_text('contexts:\n  "docker/api.Dockerfile": "ctx"\n')
    (repo / "docker").mkdir()
    (repo / "docker" / "api.Dockerfile").write_text("FROM node:latest\nCOPY . .\n")
    (repo / "ctx").mkdir()
    (repo / "ctx" / ".dockerignore").write_text("node_modules # deps\n")
    result = run(["check", "--format", "json", "ctx/.dockerignore"], repo)
    paths = {f["path"] for f in json.loads(result.stdout)["findings"]}
    assert {"docker/api.Dockerfile", "ctx/.dockerignore"} <= paths
    assert "no Dockerfile" not in result.stderr


def test_an_ignore_file_named_alone_leaves_out_dockerfiles_with_their_own(repo: Path):
    (repo / "Dockerfile").write_text("FROM node:latest\n")
    (repo / "web.Dockerfile").write_text("FROM node:latest\n")
    (repo / "web.Dockerfile.dockerignore").write_text(".git\n")
    (repo / ".dockerignore").write_text(".git\n")
    result = run(["check", "--format", "json", ".dockerignore"], repo)
    paths = {f["path"] for f in json.loads(result.stdout)["findings"]}
    assert "Dockerfile" in paths and "web.Dockerfile" not in paths
