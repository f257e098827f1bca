"""``.dockerignore`` matching in linear time, Go's errors reported, and the API's ignore files capped as on disk."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from nodeguard.engine import FileToCheck, check_files
from nodeguard.model.context import GivenFiles
from nodeguard.model.ignore import IgnoreError, parse_ignore_file
from nodeguard.policy import load_policy

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import worstcases  # noqa: E402

BOUND_SECONDS = 20  # about 2 s on an idle 2-core machine
DOCKERFILE = b"FROM node:24-alpine\nCOPY . .\n"


def check_with_ignore_file(data: bytes):
    """The Dockerfile and this ignore file, as read through the API."""
    files = GivenFiles({"Dockerfile": DOCKERFILE, ".dockerignore": data})
    return check_files([FileToCheck("Dockerfile", files, load_policy(None, "."))])


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


@pytest.mark.parametrize(
    ("pattern", "path"),
    [
        ("**/**/**/**/**/**/**/**/**/**/a", "b/" * 25 + ".env"),  # 73 s before
        ("*a*a*a*a*a*a*ab", "a" * 60),  # 12 s before
        ("*a*a*a*a*a*a*a*a*a*a*a*ab", "a" * 2000),
        ("**/" * 200 + "x", "d/" * 1000 + "y"),
    ],
)
def test_backtracking_patterns_are_decided_at_once(pattern, path):
    ignore = parse_ignore_file(".dockerignore", pattern + "\n")
    excluded, seconds = timed(ignore.excludes, path)
    assert excluded is False and seconds < 1


@pytest.mark.parametrize("name", sorted(worstcases.IGNORE_FILES))
def test_a_worst_case_ignore_file_of_1_mib_is_checked_in_bounded_time(name):
    text = worstcases.IGNORE_FILES[name](1 << 20)
    assert (1 << 20) - 100 < len(text.encode()) <= 1 << 20
    result, seconds = timed(
        lambda: check_with_ignore_file(text.encode())
    )
    assert seconds < BOUND_SECONDS, f"{name}: {seconds:.1f} s"
    assert "NG005" not in {f.rule for f in result.findings}


def test_an_ignore_file_over_1_mib_from_the_api_is_an_error_not_read():
    data = b"node_modules\n" * (2 << 20)  # 26 MiB; 20 MiB took 201 s and 3.5 GB before
    result, seconds = timed(lambda: check_with_ignore_file(data))
    assert seconds < 5
    errors = [(f.rule, f.path, f.line) for f in result.findings if f.rule == "NG001"]
    assert errors == [("NG001", ".dockerignore", 1)]
    assert "larger than 1 MiB" in next(f.message for f in result.findings if f.rule == "NG001")


@pytest.mark.parametrize("line", ["!", "! ", "[]a]", "[-]", "[x-]", "[a-b-c]", "[", "a[", "[^bc", "x\\", "[Local-Only]/", "[[:nope:]]", "\\q"])
def test_a_pattern_go_refuses_is_an_error_on_its_line(line):
    ignore = parse_ignore_file(".dockerignore", f"node_modules\n{line}\n")
    assert [(e.line, type(e)) for e in ignore.errors] == [(2, IgnoreError)]
    assert [p.pattern for p in ignore.patterns] == ["node_modules"]


def test_go_refused_patterns_reach_the_user_as_NG001_on_the_ignore_file():
    result = check_with_ignore_file(b"node_modules\n!\n[x-]\n")
    assert [(f.rule, f.line) for f in result.findings if f.path == ".dockerignore" and f.rule == "NG001"] == [
        ("NG001", 2), ("NG001", 3)
    ]


@pytest.mark.parametrize(
    ("lines", "path", "excluded"),
    [
        (["secret", "/!secret"], "secret", False),  # "/!x" is cleaned to "!x": a negation
        (["keep /."], "keep", True),  # the space left after cleaning is trimmed
        (["\\d.txt"], "7.txt", True),  # Go's regexp: a digit
        (["\\d.txt"], "d.txt", False),
        (["[[:digit:]]x"], "5x", True),
        (["[[:digit:]]x"], "ax", False),
        (["\\s"], " ", True),
        (["\\x41"], "A", True),
        (["[\\]a]"], "]", True),
    ],
)
def test_go_meanings(lines, path, excluded):
    assert parse_ignore_file(".dockerignore", "\n".join(lines) + "\n").excludes(path) is excluded


def test_an_ignore_file_over_1_mib_on_disk_is_the_same_error_not_an_absent_file(tmp_path: Path):
    from nodeguard.engine import check_paths

    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text("FROM node:24-alpine\nCOPY . .\n")
    (tmp_path / ".dockerignore").write_bytes(b"node_modules\n" * 100_000)  # 1.3 MB
    result = check_paths([str(tmp_path)], load_policy(None, str(tmp_path)), cwd=tmp_path)
    on_ignore = [(f.rule, f.line) for f in result.findings if f.path == ".dockerignore" and f.rule == "NG001"]
    assert on_ignore == [("NG001", 1)]
    assert "NG901" not in {f.rule for f in result.findings}  # it is there: not "no .dockerignore"
