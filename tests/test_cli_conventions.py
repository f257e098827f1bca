"""What users of ruff, hadolint and eslint expect of a linter's command line."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli import GOOD, run

FLAWED = "FROM node:latest\nCMD node server.js\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text(FLAWED)
    return tmp_path


def rules_of(result) -> set[str]:
    return {finding["rule"] for finding in json.loads(result.stdout)["findings"]}


def test_select_runs_only_the_rules_named_by_id_or_name(repo: Path):
    result = run(["check", "--format", "json", "--select", "NG101,exec-form-command", "."], repo)
    assert rules_of(result) == {"NG101", "NG501"}
    repeated = run(["check", "--format", "json", "--select", "NG101", "--select", "NG501", "."], repo)
    assert rules_of(repeated) == {"NG101", "NG501"}


def test_select_enables_a_rule_the_policy_turned_off_and_ignore_wins(repo: Path):
    (repo / ".nodeguard.yml").write_text("rules:\n  NG101: off\n")
    assert "NG101" not in rules_of(run(["check", "--format", "json", "."], repo))
    assert rules_of(run(["check", "--format", "json", "--select", "NG101", "."], repo)) == {"NG101"}
    ignored = run(["check", "--format", "json", "--select", "NG101,NG501", "--ignore", "NG501", "."], repo)
    assert rules_of(ignored) == {"NG101"}


def test_ignore_turns_rules_off_on_top_of_the_policy_overrides_included(repo: Path):
    (repo / ".nodeguard.yml").write_text('overrides:\n  - files: ["Dockerfile"]\n    rules: {NG501: error}\n')
    rules = rules_of(run(["check", "--format", "json", "--ignore", "NG501,base-image-tag", "."], repo))
    assert "NG501" not in rules and "NG101" not in rules and "NG504" in rules


def test_an_unknown_rule_on_the_command_line_is_a_usage_error_with_a_suggestion(repo: Path):
    result = run(["check", "--ignore", "base-image-tga", "."], repo)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        "nodeguard: --ignore: no rule named 'base-image-tga' (did you mean base-image-tag?); "
        "`nodeguard rules` lists them\n"
    )


def test_explain_suggests_the_closest_rule(repo: Path):
    result = run(["explain", "ng5O1"], repo)
    assert result.returncode == 2 and "(did you mean NG501?)" in result.stderr


def test_statistics_counts_findings_per_rule_in_text_and_json(repo: Path):
    (repo / "b").mkdir()
    (repo / "b" / "Dockerfile").write_text(FLAWED)
    text = run(["check", "--statistics", "."], repo)
    assert text.returncode == 1
    lines = text.stdout.splitlines()
    assert lines[0].split()[:3] == ["2", "NG101", "base-image-tag"]
    assert any(line.split()[:2] == ["2", "NG501"] and line.endswith("(2 fixable)") for line in lines)
    assert lines[-1].endswith("in 2 files")
    table = json.loads(run(["check", "--statistics", "--format", "json", "."], repo).stdout)
    assert {"rule": "NG501", "name": "exec-form-command", "count": 2, "fixable": 2} in table
    refused = run(["check", "--statistics", "--format", "sarif", "."], repo)
    assert refused.returncode == 2 and "--statistics" in refused.stderr


@pytest.mark.parametrize(
    ("flag", "environment", "colored"),
    [
        ([], {}, False),  # not a terminal
        ([], {"FORCE_COLOR": "1"}, True),
        ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        (["--color", "always"], {"NO_COLOR": "1"}, True),
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
        (["--color", "auto"], {"FORCE_COLOR": ""}, False),
    ],
)
def test_color_flag_and_environment(repo: Path, flag, environment, colored):
    result = run(["check", *flag, "."], repo, env={"NO_COLOR": "", **environment})
    assert ("\x1b[" in result.stdout) == colored


def test_an_unknown_flag_prints_the_usage_of_its_subcommand(repo: Path):
    result = run(["check", "--fomrat", "json", "."], repo)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: nodeguard check ")
    assert "nodeguard check: error: unrecognized arguments: --fomrat" in result.stderr
    explain = run(["explain", "NG101", "--verbose"], repo)
    assert explain.returncode == 2 and explain.stderr.startswith("usage: nodeguard explain ")


def test_text_and_json_count_files_the_same_way(repo: Path):
    (repo / "good").mkdir()
    (repo / "good" / "Dockerfile").write_text(GOOD)
    only_tags = ["check", "--select", "NG101"]  # the good Dockerfile's tag is pinned; the other's is latest
    text = run([*only_tags, "."], repo).stdout.splitlines()[-1]
    summary = json.loads(run([*only_tags, "--format", "json", "."], repo).stdout)["summary"]
    assert (summary["files"], summary["checked"]) == (1, 2)
    assert text == f"1 error in {summary['files']} of {summary['checked']} files"
    clean = json.loads(run([*only_tags, "--format", "json", "good"], repo).stdout)["summary"]
    assert (clean["files"], clean["checked"]) == (0, 1)
    assert run([*only_tags, "good"], repo).stdout == "No problems found in 1 file.\n"


def test_a_policy_with_several_errors_prints_each(repo: Path):
    (repo / ".nodeguard.yml").write_text("fail-on: sometimes\nrules:\n  NG999: off\n")
    result = run(["check", "."], repo)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "nodeguard: policy error: .nodeguard.yml:1: fail-on: 'sometimes' is not one of: error, warning, info, never",
        "nodeguard: policy error: .nodeguard.yml:3: rules.NG999: unknown rule (did you mean NG906?); "
        "`nodeguard rules` lists them",
    ]


@pytest.mark.parametrize("flag", ["--unsafe-fixes", "--show-fixes"])
def test_a_fix_option_without_fix_or_diff_is_a_usage_error(repo: Path, flag: str):
    """They only change what --fix and --diff do: alone, the run would fix nothing and say nothing of it."""
    refused = run(["check", flag, "."], repo)
    assert refused.returncode == 2 and f"{flag} works with --fix or --diff" in refused.stderr
    assert (repo / "Dockerfile").read_text() == FLAWED
    assert run(["check", "--fix", flag, "."], repo).returncode == 1
