"""nodeguard sees the same instructions as BuildKit's own parser, on the shared corpus and our fixtures.

BuildKit's parser comes from the PyPI package ``dockerfile`` (Go bindings to moby/buildkit's
frontend/dockerfile/parser), installed for tests only.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from nodeguard.model.parse import parse_dockerfile

buildkit = pytest.importorskip("dockerfile", reason="the test-only package `dockerfile` (BuildKit's parser) is missing")

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS = REPO_ROOT / ".." / "shared" / "corpus"
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "dockerfiles"


def _is_dockerfile(path: Path) -> bool:
    return path.is_file() and not path.name.lower().endswith("dockerignore")


def _cases() -> list:
    fixtures = [pytest.param(path, id=f"fixtures/{path.name}") for path in sorted(FIXTURES.iterdir())
                if _is_dockerfile(path) and "dockerfile" in path.name.lower()]
    if not CORPUS.is_dir():
        absent = pytest.mark.skip(reason=f"{CORPUS.resolve()} is not here: the shared corpus is only beside the main checkout")
        return fixtures + [pytest.param(None, id="corpus", marks=absent)]
    corpus = [pytest.param(path, id=f"corpus/{path.parent.name}/{path.name}")
              for path in sorted(CORPUS.glob("*/*")) if _is_dockerfile(path)]
    return fixtures + corpus


def _both(path: Path):
    try:
        commands = buildkit.parse_file(str(path))
    except buildkit.GoParseError as error:
        pytest.skip(f"BuildKit's parser rejects {path.name}: {error}")
    return parse_dockerfile(path.name, path.read_bytes()), commands


@pytest.mark.parametrize("path", _cases())
def test_instruction_spans_match_buildkit(path: Path):
    parsed, commands = _both(path)
    ours = [(i.keyword, i.start_line, i.end_line) for i in parsed.instructions]
    theirs = [(c.cmd.upper(), c.start_line, c.end_line) for c in commands]
    assert ours == theirs


@pytest.mark.parametrize("path", _cases())
def test_flags_and_heredocs_match_buildkit(path: Path):
    parsed, commands = _both(path)
    assert len(parsed.instructions) == len(commands)
    for instruction, command in zip(parsed.instructions, commands):
        where = f"{path.name}:{instruction.start_line}"
        assert instruction.flags == command.flags, where
        if command.sub_cmd:  # the binding reads heredocs off ONBUILD's inner node, where BuildKit keeps none
            continue
        assert [h.name for h in instruction.heredocs] == [h.name for h in command.heredocs], where
        for ours, theirs in zip(instruction.heredocs, command.heredocs):
            assert ours.body == _buildkit_body(theirs.content, ours.strip_tabs), where


def _buildkit_body(content: str, strip_tabs: bool) -> str:
    """BuildKit's parser keeps CRLF and leaves ``<<-`` tab stripping to the build step."""
    lines = content.replace("\r\n", "\n").split("\n")
    return "\n".join(line.lstrip("\t") for line in lines) if strip_tabs else "\n".join(lines)
