"""Applying fixes: on the lines the parser numbers, every other byte kept, in rounds that converge."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nodeguard.findings import Applicability, Fix
from nodeguard.fixes import apply_fixes, choose, split_lines
from nodeguard.model.parse import parse_dockerfile

SAFE = Applicability.SAFE


def parsed_lines(text: str) -> list[str]:
    return list(parse_dockerfile("Dockerfile", text.encode("utf-8")).lines)


@pytest.mark.parametrize(
    "text",
    [
        "FROM node\nRUN a\nCMD b\n",
        "FROM node\r\nRUN a\r\nCMD b\r\n",
        "FROM node\r\nRUN a\nCMD b\r\nEXPOSE 3000\n",  # mixed
        "FROM node\rRUN a\rCMD b\rEXPOSE 1\rUSER x\rWORKDIR /a\rENV A=1\r",  # CR only
        "FROM node\nCMD b",  # no final newline
        "\ufeffFROM node\nCMD b\n",
        "FROM node\n\r\n\r",
        "FROM node\nRUN a\u2028b\nCMD c\x0bd\n",  # separators str.splitlines would split on
        "",
    ],
)
def test_split_agrees_with_the_parser_and_keeps_every_byte(text):
    split = split_lines(text)
    assert split.join() == text
    assert split.contents == parsed_lines(text)


def test_a_fix_lands_on_the_line_it_names_in_a_mixed_file():
    text = "FROM node\r\nRUN a\nCMD b\r\nEXPOSE 3000\n"
    assert apply_fixes(text, [Fix(3, 3, 'CMD ["b"]')]) == 'FROM node\r\nRUN a\nCMD ["b"]\r\nEXPOSE 3000\n'


def test_cr_only_files_keep_every_instruction():
    text = "FROM node\rRUN a\rCMD b\rEXPOSE 1\rUSER x\rWORKDIR /a\rENV A=1\r"
    fixed = apply_fixes(text, [Fix(3, 3, 'CMD ["b"]')])
    assert fixed == text.replace("CMD b", 'CMD ["b"]')
    assert len(parsed_lines(fixed)) == 7


def test_new_lines_take_the_ending_of_their_neighbours():
    text = "FROM node\r\nCMD b\r\n"
    assert apply_fixes(text, [Fix(2, 1, "ENV A=1")]) == "FROM node\r\nENV A=1\r\nCMD b\r\n"
    assert apply_fixes(text, [Fix(3, 2, "USER node")]) == "FROM node\r\nCMD b\r\nUSER node\r\n"
    assert apply_fixes("FROM node\nCMD b", [Fix(3, 2, "USER node")]) == "FROM node\nCMD b\nUSER node"
    assert apply_fixes("", [Fix(1, 0, "node_modules\n.git")]) == "node_modules\n.git\n"
    assert apply_fixes("FROM node\r\nCMD b\r\n", [Fix(2, 2, "# c\nCMD d")]) == "FROM node\r\n# c\r\nCMD d\r\n"


def test_deleting_a_line_keeps_the_others():
    assert apply_fixes("a\nb\r\nc", [Fix(2, 2, "")]) == "a\nc"


def test_insertion_beside_a_replacement_of_the_same_line_composes():
    fixes = [Fix(1, 1, "FROM node:22-slim", SAFE), Fix(2, 1, "ENV NODE_ENV=production")]
    assert choose(fixes, 2) == fixes
    assert apply_fixes("FROM node:22\nCMD x\n", fixes) == "FROM node:22-slim\nENV NODE_ENV=production\nCMD x\n"


def test_overlapping_fixes_wait_for_the_next_round():
    first, second = Fix(2, 2, "CMD a"), Fix(2, 3, "CMD b")
    assert choose([first, second], 3) == [first]


def test_no_fix_at_or_after_the_first_line_the_parser_cannot_read():
    fixes = [Fix(1, 1, "FROM a"), Fix(3, 3, "RUN b"), Fix(5, 4, "USER node"), Fix(3, 2, "ENV A=1")]
    assert choose(fixes, 4, broken_from=3) == [fixes[0], fixes[3]]


def test_fixes_naming_lines_that_do_not_exist_are_left_out():
    assert choose([Fix(0, 0, "x"), Fix(3, 3, "x"), Fix(4, 3, "x"), Fix(2, 2, "x")], 2) == [Fix(2, 2, "x")]


REPO_HEAD = "FROM node:24-alpine\nENV NODE_ENV=production\nUSER node\n"


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1"}
    result = subprocess.run([sys.executable, "-m", "nodeguard", *args], cwd=cwd, capture_output=True, env=env,
                            timeout=120)
    # decoded by hand: text mode would turn the "\r\n" of a diff into "\n"
    return subprocess.CompletedProcess(result.args, result.returncode, result.stdout.decode(), result.stderr.decode())


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".dockerignore").write_text("node_modules\n.git\n.env\n.npmrc\nnpm-debug.log\n")
    return tmp_path


def test_unterminated_heredoc_gets_no_fix_inside_it_and_fixes_converge(repo: Path):
    text = "FROM node:24\nCMD node server.js\nRUN <<EOF\necho hi\n"
    (repo / "Dockerfile").write_bytes(text.encode())
    for _ in range(3):
        run(["check", "--fix", "--unsafe-fixes", "."], repo)
    fixed = (repo / "Dockerfile").read_text()
    assert fixed.count("USER node") == 0  # it would land inside the heredoc
    assert fixed.endswith("RUN <<EOF\necho hi\n")
    assert 'CMD ["node", "server.js"]' in fixed  # before the broken part: fixed
    assert run(["check", "--diff", "--unsafe-fixes", "."], repo).stdout == ""


def test_fix_applies_safe_fixes_only_and_unsafe_fixes_adds_the_rest(repo: Path):
    (repo / "Dockerfile").write_text("FROM node:24-alpine\nCMD node server.js\n")
    result = run(["check", "--fix", "--show-fixes", "."], repo)
    assert (repo / "Dockerfile").read_text() == 'FROM node:24-alpine\nCMD ["node", "server.js"]\n'
    assert "fixed 1 problem in Dockerfile (NG501 1)" in result.stderr
    assert "Dockerfile:2: NG501 safe (round 1)" in result.stderr
    assert "2 fixable with `nodeguard check --fix --unsafe-fixes`" in result.stdout  # what --fix left
    result = run(["check", "--fix", "--unsafe-fixes", "--show-fixes", "."], repo)
    text = (repo / "Dockerfile").read_text()
    assert "ENV NODE_ENV=production" in text and "USER node" in text
    assert "NG301 unsafe" in result.stderr and "NG401 unsafe" in result.stderr


def test_two_fixes_on_one_line_are_both_applied(repo: Path):
    (repo / "Dockerfile").write_text("FROM node:22\nUSER node\nCMD node server.js\n")
    policy = "rules:\n  NG102: off\n"
    (repo / ".nodeguard.yml").write_text(policy)
    result = run(["check", "--fix", "--unsafe-fixes", "--show-fixes", "."], repo)
    text = (repo / "Dockerfile").read_text()
    assert text.startswith("FROM node:22-slim\nENV NODE_ENV=production\n"), result.stderr
    assert "NG103" in result.stderr and "NG301" in result.stderr


def test_diff_prints_what_fix_then_does_and_changes_nothing(repo: Path):
    original = "FROM node:24-alpine\r\nCMD node server.js # start\r\n"
    (repo / "Dockerfile").write_bytes(original.encode())
    diff = run(["check", "--diff", "."], repo)
    assert diff.returncode == 1
    assert (repo / "Dockerfile").read_bytes() == original.encode()
    assert "-CMD node server.js # start\r\n" in diff.stdout
    assert '+CMD ["node", "server.js"]\r\n' in diff.stdout
    assert "would have fixed 1 problem in Dockerfile" in diff.stderr
    patch = repo / "fix.patch"
    patch.write_text(diff.stdout, newline="")
    run(["check", "--fix", "."], repo)
    fixed = (repo / "Dockerfile").read_bytes()
    assert fixed == original.replace("CMD node server.js # start", 'CMD ["node", "server.js"]').encode()
    again = run(["check", "--diff", "."], repo)
    assert (again.returncode, again.stdout) == (0, "")


def test_fix_rewrites_only_the_named_line_of_a_cr_only_file(repo: Path):
    original = "FROM node:24-alpine\rENV NODE_ENV=production\rUSER node\rCMD node server.js\r"
    (repo / "Dockerfile").write_bytes(original.encode())
    run(["check", "--fix", "--unsafe-fixes", "."], repo)
    assert (repo / "Dockerfile").read_bytes() == original.encode()  # Docker reads it as one line: no fix


def test_every_fixable_rule_states_its_applicability_and_why():
    from nodeguard.rules import all_rules

    for rule in all_rules():
        if rule.fixable:
            assert "Applicability: **safe**" in rule.doc or "Applicability: **unsafe**" in rule.doc, rule.id


def test_findings_carry_no_fix_into_the_part_the_parser_cannot_read(lint):
    heredoc = lint("FROM node:24\nCMD node server.js\nRUN <<EOF\necho hi\n")
    fixed = [f for f in heredoc.findings if f.fix is not None]
    assert "NG501" in [f.rule for f in fixed] and all(f.fix.before(3) for f in fixed)
    assert [f.fix for f in heredoc.findings if f.rule == "NG401"] == [None]  # USER node would go into the heredoc
    # Docker (and GitHub) read a CR-only file as one line: no suggestion may replace it whole.
    cr_only = lint("FROM node:24\rCMD node server.js\r")
    assert [f for f in cr_only.findings if f.fix is not None] == []


def test_diff_with_nothing_to_fix_says_so(repo: Path):
    (repo / "Dockerfile").write_text("FROM node:24-alpine\nUSER root\n")
    result = run(["check", "--diff", "."], repo)
    assert (result.returncode, result.stdout) == (0, "")
    assert "no fix to make (safe fixes only: see --unsafe-fixes)" in result.stderr


def test_a_fix_that_would_join_another_instruction_is_left_out_and_the_others_applied(repo: Path):
    # BuildKit accepts a last line ending in a continuation; a USER line after it would become RUN's words.
    (repo / "Dockerfile").write_text("FROM node:24-alpine\nCMD node server.js\nRUN echo a \\\n")
    run(["check", "--fix", "--unsafe-fixes", "."], repo)
    text = (repo / "Dockerfile").read_text()
    assert 'CMD ["node", "server.js"]' in text and text.endswith("RUN echo a \\\n") and "USER node" not in text
