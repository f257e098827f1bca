"""Every known worst case at the size limit is checked in bounded time, in one pass over the input.

The bounds are generous (the machine running the suite may be busy); the figures are in bench/README.md
(``bench/worst-case``)."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from nodeguard.engine import FileToCheck, check_files, check_paths
from nodeguard.model.context import GivenFiles
from nodeguard.model.parse import MAX_BYTES, MAX_STAGES
from nodeguard.policy import load_policy

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import worstcases  # noqa: E402

BOUND_SECONDS = 20  # about 2 s on an idle 2-core machine


def check(dockerfile: str, ignore: str | None = None):
    files = {"Dockerfile": dockerfile.encode(), **({".dockerignore": ignore.encode()} if ignore is not None else {})}
    started = time.perf_counter()
    result = check_files([FileToCheck("Dockerfile", GivenFiles(files), load_policy(None, "."))])
    return result, time.perf_counter() - started


@pytest.mark.parametrize("name", sorted(worstcases.DOCKERFILES))
def test_a_worst_case_dockerfile_at_the_size_limit_is_checked_in_bounded_time(name, tmp_path: Path):
    """On disk, where the rules also read the build context (package.json beside it)."""
    dockerfile = worstcases.DOCKERFILES[name](MAX_BYTES)
    assert MAX_BYTES // 3 < len(dockerfile.encode()) <= MAX_BYTES
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text(dockerfile)
    (tmp_path / "package.json").write_text('{"scripts": {"start": "node server.js"}}')
    started = time.perf_counter()
    result = check_paths([str(tmp_path)], load_policy(None, str(tmp_path)), cwd=tmp_path)
    seconds = time.perf_counter() - started
    assert seconds < BOUND_SECONDS, f"{name}: {seconds:.1f} s"
    assert "NG005" not in {finding.rule for finding in result.findings}


def test_a_dockerfile_over_the_size_limit_is_an_error_at_once():
    result, seconds = check(worstcases.many_instructions(4 * MAX_BYTES))
    assert seconds < 2
    assert [(f.rule, f.message) for f in result.findings] == [("NG001", "the file is larger than 256 KiB; not parsed")]


def test_more_stages_than_the_limit_is_an_error_not_a_quadratic_walk():
    dockerfile = "FROM node:20 AS s0\n" + "".join(f"FROM s{i} AS s{i + 1}\n" for i in range(MAX_STAGES))
    result, seconds = check(dockerfile)
    assert seconds < 2
    assert [f.rule for f in result.findings] == ["NG001"]
    assert f"more than the {MAX_STAGES}" in result.findings[0].message


def test_pragmas_in_thousands_still_silence_exactly_their_lines():
    body = "".join(
        "# nodeguard ignore=NG201 -- pinned by the lockfile\nRUN npm install\n"
        if i % 2 else "RUN npm install\n"
        for i in range(4000)
    )
    result, seconds = check("FROM node:24-alpine\n" + body)
    assert seconds < BOUND_SECONDS
    reported = [f.line for f in result.findings if f.rule == "NG201"]
    assert len(reported) == 2000 and all(line % 3 == 2 for line in reported)
