"""Each benchmark script runs in its quick mode and prints its figures. A smoke test: nothing here is timed."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench"
WORK = BENCH / ".work"
HADOLINT = WORK / "hadolint-venv" / "bin" / "hadolint"
DOCKERFILELINT = WORK / "npm" / "node_modules" / ".bin" / "dockerfilelint"
DOCKERFILE_PARSE = WORK / "dockerfile-parse-venv" / "bin" / "python"

needs_corpus = pytest.mark.skipif(
    not (REPO / ".." / "shared" / "corpus").is_dir(), reason="the shared corpus (../shared/corpus) is absent"
)
needs_peers = pytest.mark.skipif(
    not (HADOLINT.exists() and DOCKERFILELINT.exists()),
    reason="hadolint and dockerfilelint are not installed under bench/.work (run bench/throughput once)",
)
needs_dockerfile_parse = pytest.mark.skipif(
    not DOCKERFILE_PARSE.exists(),
    reason="dockerfile-parse is not installed under bench/.work (run bench/parser-agreement once)",
)


def run_script(name: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(BENCH / name), "--quick"], capture_output=True, text=True, timeout=60, cwd=REPO
    )


@needs_corpus
@needs_peers
def test_throughput_compares_nodeguard_with_both_peers():
    done = run_script("throughput")
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {line.split()[0]: line.split() for line in done.stdout.splitlines() if line.strip()}
    assert {"nodeguard", "hadolint", "dockerfilelint"} <= rows.keys()
    assert rows["hadolint"][-1].endswith("x") and rows["dockerfilelint"][-1].endswith("x")
    assert "set: 20 Dockerfiles" in done.stdout
    assert "findings from" in done.stdout


@needs_corpus
@needs_peers
def test_first_answer_compares_with_python_and_hadolint_and_checks_imports():
    done = run_script("first-answer")
    assert done.returncode == 0, done.stdout + done.stderr
    for command in ("nodeguard check", "python -c pass", "hadolint"):
        assert any(line.startswith(command) and line.endswith("x") for line in done.stdout.splitlines()), command
    assert "target: nodeguard within 5x of python -c pass in a regular install" in done.stdout
    assert "not imported (as it should be): github, jsonschema, requests" in done.stdout


def test_api_calls_counts_requests_by_route():
    done = run_script("api-calls")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    total = next(line.split() for line in lines if line.startswith("total"))
    assert len(total) == 3 and all(count.isdigit() and int(count) > 0 for count in total[1:])
    assert "requests grow only with the batches of 50 annotations" in done.stdout


@needs_corpus
@needs_dockerfile_parse
def test_parser_agreement_compares_both_readers_with_buildkit():
    done = run_script("parser-agreement")
    assert done.returncode == 0, done.stdout + done.stderr
    rows = [line.split() for line in done.stdout.splitlines() if line.startswith("corpus ")]
    assert [row[1] for row in rows] == ["nodeguard", "dockerfile-parse"]
    assert all(row[4].count("/") == 1 for row in rows)
    assert "nodeguard             FROM@1 RUN@2 CMD@6" in done.stdout
