"""Property-based hostile input: whatever the text, the parser, the shell splitter, the ignore matcher and the
policy loader answer (a result or their own clear error), never raise anything else, and answer fast.

Examples are drawn from alphabets rich in each reader's special characters; the ``ci`` profile (see
conftest.py) is derandomized. Each example also has a time bound, far above what it needs."""
from __future__ import annotations

import re
import time
from pathlib import Path

from hypothesis import given, strategies as st

from nodeguard.engine import FileToCheck, check_files
from nodeguard.model.context import GivenFiles
from nodeguard.model.ignore import parse_ignore_file
from nodeguard.model.parse import parse_dockerfile
from nodeguard.model.shell import split_commands
from nodeguard.policy import PolicyError, load_policy
from nodeguard.policy.yamlfile import read_yaml

SECONDS_PER_EXAMPLE = 2.0

DOCKERFILE_WORDS = st.sampled_from([
    "FROM", "RUN", "CMD", "COPY", "ENV", "ARG", "USER", "ENTRYPOINT", "HEALTHCHECK", "ONBUILD", "SHELL",
    "node:24", "AS", "b", "--from=b", "--mount=type=secret,id=npm", "<<EOF", "<<-'EOF'", "EOF", "npm", "ci",
    "install", "sudo", "env", "A=1", "exec", "sh", "-c", "'", '"', "\\", "`", "$(", ")", "${", "}", "&&", "||",
    ";", "|", "&", "#", "# nodeguard ignore=NG101", "# nodeguard stage ignore=NG101 -- x", "# escape=`",
    "# syntax=docker/dockerfile:1", "[", "]", '["node",', '"server.js"]', "\t", " ", "\n", "\r\n", "\r",
    "\x00", "\x07", "\u2028", "é", "if", "then", "fi", "case", "esac", "for", "do", "done", "((", "))",
])
SHELL_WORDS = st.sampled_from([
    "npm", "ci", "install", "yarn", "pnpm", "sudo", "-u", "node", "env", "A=1", "exec", "nohup", "time",
    "sh", "bash", "-c", "-euxo", "pipefail", "su", "'", '"', "\\", "`", "$(", ")", "${", "}", "$'", "&&",
    "||", ";", ";;", "|", "&", "(", "{", "<<EOF", "<<-EOF", "EOF", ">", "2>&1", "<(", "#", "\n", "\\\n",
    " ", "\t", "if", "then", "else", "fi", "case", "in", "esac", "for", "do", "done", "[[", "]]", "((", "))",
    "function", "f()", "é", "\x00",
])
PATTERN_CHARACTERS = st.sampled_from(list("ab./*?[]^!-\\:{}()+$| ") + ["**", "**/", "[:alpha:]", "\\d", "\\p{L}", "é"])


def within_bound(function, *args):
    started = time.perf_counter()
    result = function(*args)
    elapsed = time.perf_counter() - started
    assert elapsed < SECONDS_PER_EXAMPLE, f"{elapsed:.2f} s"
    return result


@given(st.lists(DOCKERFILE_WORDS, max_size=120).map("".join))
def test_the_parser_reads_any_text(text):
    parsed = within_bound(parse_dockerfile, "Dockerfile", text.encode("utf-8"))
    lines = max(len(parsed.lines), 1)
    for instruction in parsed.instructions:
        assert 1 <= instruction.start_line <= instruction.end_line <= lines
    assert all(1 <= problem.line <= lines for problem in parsed.problems)


@given(st.binary(max_size=300))
def test_the_parser_reads_any_bytes(data):
    within_bound(parse_dockerfile, "Dockerfile", data)


@given(st.lists(SHELL_WORDS, max_size=120).map(" ".join) | st.lists(SHELL_WORDS, max_size=120).map("".join))
def test_the_shell_splitter_splits_any_script(script):
    commands = within_bound(split_commands, script)
    lines = script.count("\n") + 1
    for command in commands:
        assert 0 <= command.line_offset < lines + 8 * lines  # nested -c scripts add their own lines
        assert isinstance(command.program, str)


@given(st.lists(st.sampled_from(["sudo ", "exec ", "env A=1 ", "nohup ", "time ", "sudo -u x "]), min_size=1, max_size=3000))
def test_wrapper_chains_of_any_length_reach_the_command(wrappers):
    commands = within_bound(split_commands, "".join(wrappers) + "npm ci")
    assert commands[-1].argv == ("npm", "ci")


@given(st.lists(st.lists(PATTERN_CHARACTERS, max_size=12).map("".join), max_size=8),
       st.lists(st.sampled_from(["a", "b", ".", "ab", "a.b", "*", "[", "]", "é", "d"]), min_size=1, max_size=12))
def test_the_ignore_matcher_decides_any_pattern_on_any_path(patterns, parts):
    ignore = within_bound(parse_ignore_file, ".dockerignore", "\n".join(patterns) + "\n")
    path = "/".join(parts)
    within_bound(ignore.excludes, path)
    assert len(ignore.patterns) + len(ignore.errors) <= len(patterns)


def _reference_regex(pattern: str) -> str:
    """patternmatcher's translation for patterns of literals, *, ? and / only, for Python's re (safe here:
    the paths are short)."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            i += 2
            if pattern.startswith("/", i):
                i += 1
            out.append("(.*/)?" if i < len(pattern) else ".*")
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


@given(st.lists(st.sampled_from(["a", "b", "*", "**", "?", "/", "."]), min_size=1, max_size=10).map("".join),
       st.lists(st.sampled_from(["a", "b", "ab", "ba", "a.b"]), min_size=1, max_size=6).map("/".join))
def test_the_linear_matcher_agrees_with_a_backtracking_reference(pattern, path):
    ignore = parse_ignore_file(".dockerignore", pattern + "\n")
    if len(ignore.patterns) != 1 or ignore.patterns[0].negated:
        return
    cleaned = ignore.patterns[0].pattern
    if cleaned.startswith("**") and not re.search(r"[*?]", cleaned[2:]):
        return  # patternmatcher's suffix test, not a regular expression
    if "*" not in cleaned and "?" not in cleaned:
        return  # exact and prefix tests
    regex = re.compile(_reference_regex(cleaned))
    parts = path.split("/")
    expected = any(regex.fullmatch("/".join(parts[: index + 1])) for index in range(len(parts)))
    assert (ignore.deciding_pattern(path) is not None) == expected


YAML_PIECES = st.sampled_from([
    "rules:", "\n", "  ", "NG101:", " off", " error", "fail-on:", " warning", "extends:", " recommended",
    "overrides:", "- files:", " [", "]", "{", "}", "&a", "*a", "<<:", "!!python/object", "\x07", "\x00",
    "\t", "'", '"', "#", ":", "-", "?", "|", ">", "%YAML 1.1", "---", "...", "é", "\ufeff", "\u2028",
])


@given(st.lists(YAML_PIECES, max_size=60).map("".join))
def test_the_policy_reader_gives_a_policy_or_a_policy_error(text):
    try:
        within_bound(read_yaml, "policy.yml", text)
    except PolicyError as error:
        assert error.path == "policy.yml"


@given(st.lists(YAML_PIECES, max_size=40).map("".join))
def test_the_policy_loader_gives_a_policy_or_a_policy_error(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("policy")
    (folder / ".git").mkdir()
    (Path(folder) / "policy.yml").write_text(text, encoding="utf-8")
    try:
        within_bound(load_policy, str(folder / "policy.yml"), str(folder))
    except PolicyError as error:
        assert "policy.yml" in str(error)


@given(st.lists(DOCKERFILE_WORDS, max_size=80).map("".join),
       st.lists(st.lists(PATTERN_CHARACTERS, max_size=8).map("".join), max_size=5).map("\n".join))
def test_the_whole_check_answers_for_any_dockerfile_and_ignore_file(dockerfile, ignore):
    result = within_bound(
        lambda: check_files([FileToCheck("Dockerfile", GivenFiles({"Dockerfile": dockerfile.encode(),
                                                                  ".dockerignore": ignore.encode()}),
                                         load_policy(None, "."))])
    )
    assert result.checked == ["Dockerfile"]
